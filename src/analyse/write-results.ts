/**
 * Write plugins' rows as partitions of their declared tables, with their fingerprints,
 * all in one transaction: a failed write leaves the previous results in place. A build
 * writes the plugins of an experiment as one batch (run-analyses.ts): in a build's
 * scratch every transaction is also a commit to the warehouse, a fixed cost per commit.
 *
 * The rows are checked and converted first (`stagePluginResults`, no I/O), so bad rows
 * fail their own plugin and never a batch.
 */
import { XpError } from '../core/errors.ts';
import type { Db, SqlValue } from '../engine/connection.ts';
import { MODEL_SCHEMA, recordFingerprint } from '../engine/platform-store.ts';
import { quoteIdent, relation } from '../engine/sql.ts';
import type { PluginOutput, TableSpec } from './plugin.ts';

const ROWS_PER_INSERT = 200;

function toSqlValue(v: unknown, type: TableSpec[string], where: string): SqlValue {
  if (v === undefined || v === null) return null;
  if (type === 'json') return JSON.stringify(v);
  if (type === 'double' || type === 'bigint' || type === 'integer') {
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      if (typeof v === 'number') return null; // NaN/Infinity: not a number to store; plugins report not-estimable instead
      throw new XpError('PLUGIN_INVALID', `${where}: expected a number, got ${JSON.stringify(v)}`);
    }
    return type === 'double' ? v : Math.round(v);
  }
  if (type === 'boolean') return Boolean(v);
  return typeof v === 'string' ? v : String(v);
}

/** Create the tables, and add the columns a table lacks (a plugin that gained columns): one lookup of the columns for all. */
async function ensureTables(db: Db, tables: readonly (readonly [string, TableSpec])[]): Promise<void> {
  if (!tables.length) return;
  for (const [table, spec] of tables) {
    const cols = Object.entries(spec).map(([c, t]) => `${quoteIdent(c)} ${t}`);
    await db.run(`create table if not exists ${relation(MODEL_SCHEMA, table)} (experiment_id varchar not null, ${cols.join(', ')})`);
  }
  const names = tables.map(([t]) => t);
  const existing = new Set(
    (await db.all<{ table_name: string; column_name: string }>(
      `select table_name, column_name from information_schema.columns where table_catalog = current_database() and table_schema = $1 and table_name in (${names.map((_, i) => `$${i + 2}`).join(', ')})`,
      [MODEL_SCHEMA, ...names],
    )).map((r) => `${r.table_name}\u0000${r.column_name}`),
  );
  for (const [table, spec] of tables) {
    for (const [c, t] of Object.entries(spec)) {
      if (!existing.has(`${table}\u0000${c}`)) await db.run(`alter table ${relation(MODEL_SCHEMA, table)} add column ${quoteIdent(c)} ${t}`);
    }
  }
}

const isRecord = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

/**
 * The output's shape, before anything is written: an object of row arrays, each table
 * declared, each row an object whose keys are declared columns. A declared column a row
 * leaves out is written as NULL; a key that is not a column is an error, never dropped.
 */
function checkOutput(plugin: { name: string; writes: Readonly<Record<string, TableSpec>> }, output: unknown): asserts output is PluginOutput {
  if (!isRecord(output)) {
    throw new XpError('PLUGIN_INVALID', `plugin ${plugin.name} returned ${Array.isArray(output) ? 'an array' : JSON.stringify(output) ?? String(output)}, not an object of rows by table`, {
      hint: 'return { <table>: [rows…] } for the tables in writes (or {} for none)',
    });
  }
  for (const [table, rows] of Object.entries(output)) {
    const spec = Object.hasOwn(plugin.writes, table) ? plugin.writes[table] : undefined;
    if (!spec) {
      throw new XpError('PLUGIN_INVALID', `plugin ${plugin.name} returned rows for "${table}", which it does not declare in writes`);
    }
    if (!Array.isArray(rows)) throw new XpError('PLUGIN_INVALID', `plugin ${plugin.name} → ${table}: expected an array of rows`);
    rows.forEach((row: unknown, i) => {
      if (!isRecord(row)) throw new XpError('PLUGIN_INVALID', `${plugin.name} → ${table} row ${i + 1}: expected an object, got ${JSON.stringify(row) ?? String(row)}`);
      const unknown = Object.keys(row).find((k) => !Object.hasOwn(spec, k));
      if (unknown !== undefined) {
        throw new XpError('PLUGIN_INVALID', `${plugin.name} → ${table} row ${i + 1}: unknown column "${unknown}", not declared in writes.${table}`, {
          hint: `declare it in writes.${table} (now: ${Object.keys(spec).join(', ') || 'no columns'}) or leave it out of the row; a declared column a row leaves out is written as NULL`,
        });
      }
    });
  }
}

/** A plugin's output, checked and converted to the values written: what one plugin adds to a batch. */
export interface StagedResults {
  readonly plugin: { readonly name: string; readonly writes: Readonly<Record<string, TableSpec>> };
  readonly experimentId: string;
  readonly fingerprint: string;
  /** per declared table, the rows' values in the order of its columns (experiment_id first) */
  readonly tables: ReadonlyMap<string, readonly (readonly SqlValue[])[]>;
  readonly rows: number;
}

/** Check `output` against the plugin's writes and convert every value; throws PLUGIN_INVALID naming the row and column. */
export function stagePluginResults(
  plugin: { name: string; writes: Readonly<Record<string, TableSpec>> },
  experimentId: string,
  output: unknown,
  fingerprint: string,
): StagedResults {
  checkOutput(plugin, output);
  const tables = new Map<string, SqlValue[][]>();
  let rows = 0;
  for (const [table, spec] of Object.entries(plugin.writes)) {
    const cols = Object.keys(spec);
    const values = (output[table] ?? []).map((row, i) => [
      experimentId,
      ...cols.map((c) => toSqlValue(row[c], spec[c]!, `${plugin.name} → ${table} row ${i + 1} column ${c}`)),
    ]);
    tables.set(table, values);
    rows += values.length;
  }
  return { plugin, experimentId, fingerprint, tables, rows };
}

/** Write the staged results of several plugins, and their fingerprints, in one transaction. */
export async function writeStagedResults(db: Db, batch: readonly StagedResults[], runId: string): Promise<void> {
  if (!batch.length) return;
  await db.transaction(async (tx) => {
    await ensureTables(tx, batch.flatMap((staged) => Object.entries(staged.plugin.writes)));
    for (const staged of batch) {
      const { plugin, experimentId } = staged;
      for (const [table, spec] of Object.entries(plugin.writes)) {
        const rel = relation(MODEL_SCHEMA, table);
        await tx.run(`delete from ${rel} where experiment_id = $1`, [experimentId]);
        const rows = staged.tables.get(table) ?? [];
        const cols = ['experiment_id', ...Object.keys(spec)].map(quoteIdent).join(', ');
        for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) {
          const params: SqlValue[] = [];
          const tuples = rows.slice(i, i + ROWS_PER_INSERT).map((values) => {
            const start = params.length;
            params.push(...values);
            return `(${values.map((_, k) => `$${start + k + 1}`).join(', ')})`;
          });
          await tx.run(`insert into ${rel} (${cols}) values ${tuples.join(', ')}`, params);
        }
      }
      await recordFingerprint(tx, { model: `analysis:${plugin.name}`, experimentId, fingerprint: staged.fingerprint, runId }, staged.rows);
    }
  });
}
