/**
 * Move experiments between warehouses: export whole chains to JSON Lines or Parquet,
 * import them elsewhere. Import verifies every chain first, appends only what extends
 * the history already there, and refuses a history that diverges from it.
 *
 * Every export ends with an end record: the format and, per experiment, its event count
 * and head hash (a JSON Lines file's last line `{"end": {...}}`; a Parquet file's
 * `xp_ledger_end` key-value metadata, in its footer). A chain that is cut short still
 * verifies, so import refuses a file without a valid end record, or whose events disagree
 * with it (USAGE, exit 2), before anything is imported. Exports are written to a
 * temporary file and renamed into place, so a crashed export leaves no partial file.
 */
import { readFileSync, writeFileSync, mkdirSync, existsSync, renameSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { XpError } from '../core/errors.ts';
import { openDb, type Db } from '../engine/connection.ts';
import { sqlLiteral } from '../engine/sql.ts';
import type { LedgerEvent } from './events.ts';
import { ensureLedgerTables, insertEvents, readEvents, readHeads, toEvent, toRow, type LedgerTable } from './store.ts';
import type { TrustedKeys } from './signing.ts';
import { assertIntact, verifyChain, verifyLedger } from './verify.ts';

export type LedgerFileFormat = 'jsonl' | 'parquet';

export function formatOf(file: string): LedgerFileFormat {
  if (/\.parquet$/i.test(file)) return 'parquet';
  if (/\.(jsonl|ndjson)$/i.test(file)) return 'jsonl';
  throw new XpError('USAGE', `cannot tell the format of ${file}`, { hint: 'name the file *.jsonl or *.parquet' });
}

export const EXPORT_FORMAT = 'xp-ledger-export/1';
/** The Parquet key-value metadata key that holds the end record. */
export const END_METADATA_KEY = 'xp_ledger_end';

/** What an export promises: every experiment in it, with its event count and head hash. */
export interface EndRecord {
  readonly format: typeof EXPORT_FORMAT;
  readonly experiments: readonly { readonly experiment_id: string; readonly events: number; readonly head: string }[];
}

export interface ExportResult {
  readonly file: string;
  readonly experiments: readonly { readonly experimentId: string; readonly events: number }[];
}

export function endRecordOf(experimentIds: readonly string[], events: ReadonlyMap<string, readonly LedgerEvent[]>): EndRecord {
  return {
    format: EXPORT_FORMAT,
    experiments: experimentIds.map((id) => {
      const list = events.get(id) ?? [];
      return { experiment_id: id, events: list.length, head: list.at(-1)?.hash ?? '' };
    }),
  };
}

/**
 * The verified events as Parquet, written from a private in-memory DuckDB: the state may
 * live in PostgreSQL, where DuckDB's COPY cannot reach, and what is written is exactly
 * what was verified.
 */
async function writeParquet(rows: readonly LedgerTable[], end: EndRecord, file: string): Promise<void> {
  const db = await openDb(':memory:');
  try {
    await db.run('create table ledger (seq bigint, experiment_id varchar, "at" varchar, kind varchar, payload varchar, prev_hash varchar, hash varchar, actor varchar, signature varchar, key_id varchar)');
    const BATCH = 500;
    for (let i = 0; i < rows.length; i += BATCH) {
      const chunk = rows.slice(i, i + BATCH);
      const params = chunk.flatMap((r) => [r.seq, r.experiment_id, r.at, r.kind, r.payload, r.prev_hash, r.hash, r.actor ?? null, r.signature ?? null, r.key_id ?? null]);
      await db.run(`insert into ledger values ${chunk.map((_, j) => `(${Array.from({ length: 10 }, (_, k) => `$${j * 10 + k + 1}`).join(', ')})`).join(', ')}`, params);
    }
    await db.run(
      `copy (select * from ledger order by experiment_id, seq)
       to ${sqlLiteral(file)} (format parquet, kv_metadata {${END_METADATA_KEY}: ${sqlLiteral(JSON.stringify(end))}})`,
    );
  } finally {
    db.close();
  }
}

export async function exportLedger(db: Db, experimentIds: readonly string[], file: string): Promise<ExportResult> {
  const format = formatOf(file);
  assertIntact(await verifyLedger(db, experimentIds));
  const events = await readEvents(db, experimentIds);
  const end = endRecordOf(experimentIds, events);
  const target = path.resolve(file);
  mkdirSync(path.dirname(target), { recursive: true });
  const temp = path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
  try {
    if (format === 'jsonl') {
      const lines = experimentIds.flatMap((id) => (events.get(id) ?? []).map((e) => {
        const row = toRow(e);
        return JSON.stringify({ ...row, payload: e.payload });
      }));
      lines.push(JSON.stringify({ end }));
      writeFileSync(temp, lines.join('\n') + '\n');
    } else {
      await writeParquet(experimentIds.flatMap((id) => (events.get(id) ?? []).map(toRow)), end, temp);
    }
    renameSync(temp, target);
  } catch (err) {
    rmSync(temp, { force: true });
    throw err;
  }
  return { file, experiments: end.experiments.map((e) => ({ experimentId: e.experiment_id, events: e.events })) };
}

function badFile(file: string, message: string, cause?: unknown): XpError {
  return new XpError('LEDGER_CORRUPT', `${file}: ${message}`, {
    location: { file },
    hint: 'export it again with `xp ledger export --select <ids> --to <file>`',
    cause,
  });
}

/** The file is not a whole export (cut short, edited, or older than end records): USAGE, exit 2. */
function incomplete(file: string, message: string, line?: number): XpError {
  return new XpError('USAGE', `${file}${line === undefined ? '' : `:${line}`}: not a complete ledger export: ${message}`, {
    location: line === undefined ? { file } : { file, line },
    hint: 'nothing was imported; export the experiments again from their source warehouse with `xp ledger export --select <ids> --to <file>` (exports written before end records existed have none and cannot be imported)',
  });
}

/** Check the shape of an end record; the reason when it is not one. */
function endRecordProblem(raw: unknown): string | undefined {
  const end = raw as Partial<EndRecord> | null;
  if (end === null || typeof end !== 'object') return 'it is not an object';
  if (end.format !== EXPORT_FORMAT) return `its format is ${JSON.stringify(end.format)}, not ${EXPORT_FORMAT}`;
  if (!Array.isArray(end.experiments)) return 'it has no experiments list';
  for (const e of end.experiments as unknown[]) {
    const x = e as Partial<EndRecord['experiments'][number]> | null;
    if (typeof x?.experiment_id !== 'string') return 'an entry has no experiment_id';
    if (typeof x.events !== 'number' || !Number.isSafeInteger(x.events) || x.events < 0) return `the event count of ${x.experiment_id} is not a count`;
    if (typeof x.head !== 'string') return `the head hash of ${x.experiment_id} is missing`;
  }
  return undefined;
}

const isEndLine = (value: unknown): value is { end: unknown } =>
  value !== null && typeof value === 'object' && !Array.isArray(value) && 'end' in value;

function parseLine(l: string): unknown {
  try {
    return JSON.parse(l) as unknown;
  } catch {
    return undefined;
  }
}

/** A JSON Lines export: event rows, then the end record as the last line. */
function readJsonl(file: string): { rows: LedgerTable[]; end: EndRecord } {
  const lines = readFileSync(file, 'utf8').split('\n').map((l, i) => [l, i + 1] as const).filter(([l]) => l.trim());
  const last = lines.at(-1);
  if (!last) throw incomplete(file, 'the end record is missing: the file is empty');
  const lastValue = parseLine(last[0]);
  if (lastValue === undefined) throw incomplete(file, 'the end record is missing: the last line is cut off', last[1]);
  if (!isEndLine(lastValue)) throw incomplete(file, 'the end record is missing: the last line is an event', last[1]);
  const problem = endRecordProblem(lastValue.end);
  if (problem) throw incomplete(file, `the end record is malformed: ${problem}`, last[1]);
  const rows = lines.slice(0, -1).map(([l, line]) => {
    const r = parseLine(l) as (LedgerTable & { payload: unknown }) | undefined;
    if (r === undefined) throw new XpError('LEDGER_CORRUPT', `${file}:${line}: not a JSON event`, { location: { file, line } });
    if (isEndLine(r)) throw incomplete(file, 'an end record that is not the last line (two exports joined?)', line);
    return { ...r, payload: JSON.stringify(r.payload) };
  });
  return { rows, end: lastValue.end as EndRecord };
}

/** A Parquet export: event rows, the end record in the footer's key-value metadata. */
async function readParquet(db: Db, file: string): Promise<{ rows: LedgerTable[]; end: EndRecord }> {
  let rows: LedgerTable[];
  let meta: { v: string }[];
  try {
    // exports written before actors (or signatures) existed lack those columns
    const columns = new Set((await db.all<{ name: string }>('select name from parquet_schema($1)', [path.resolve(file)])).map((c) => c.name));
    const optional = ['actor', 'signature', 'key_id'].map((c) => (columns.has(c) ? c : `null as ${c}`)).join(', ');
    rows = await db.all<LedgerTable & Record<string, unknown>>(
      `select seq, experiment_id, "at", kind, payload::varchar as payload, prev_hash, hash, ${optional} from read_parquet($1)`, [path.resolve(file)],
    );
    meta = await db.all<{ v: string }>('select decode(value) as v from parquet_kv_metadata($1) where decode(key) = $2', [path.resolve(file), END_METADATA_KEY]);
  } catch (cause) {
    throw badFile(file, `not a ledger export: ${cause instanceof Error ? cause.message.split('\n')[0] : String(cause)}`, cause);
  }
  if (!meta.length) throw incomplete(file, `the end record is missing: the Parquet file has no ${END_METADATA_KEY} metadata`);
  const end = parseLine(meta[0]!.v);
  const problem = end === undefined ? 'it is not JSON' : endRecordProblem(end);
  if (problem) throw incomplete(file, `the end record is malformed: ${problem}`);
  return { rows, end: end as EndRecord };
}

/** Refuse events that disagree with the end record: a chain cut short, an experiment left out or added. */
function checkAgainstEnd(file: string, end: EndRecord, events: ReadonlyMap<string, readonly LedgerEvent[]>): void {
  const promised = new Map(end.experiments.map((e) => [e.experiment_id, e]));
  for (const id of [...events.keys()].sort()) {
    if (!promised.has(id)) throw incomplete(file, `${id} has events in the file but no entry in the end record`);
  }
  for (const e of end.experiments) {
    const list = events.get(e.experiment_id) ?? [];
    if (list.length !== e.events) {
      throw incomplete(file, `the end record says ${e.experiment_id} has ${e.events} events, the file holds ${list.length}`);
    }
    const head = list.at(-1)?.hash ?? '';
    if (head !== e.head) {
      throw incomplete(file, `the end record says the chain of ${e.experiment_id} ends at hash ${e.head.slice(0, 12) || '(none)'}, the file's last event of it has hash ${head.slice(0, 12) || '(none)'}`);
    }
  }
}

/** The events in an export file, grouped by experiment, in seq order; refused unless its end record vouches for them. */
export async function readLedgerFile(db: Db, file: string): Promise<Map<string, LedgerEvent[]>> {
  if (!existsSync(file)) throw new XpError('USAGE', `no such file: ${file}`, { location: { file } });
  const { rows, end } = formatOf(file) === 'jsonl' ? readJsonl(file) : await readParquet(db, file);
  const out = new Map<string, LedgerEvent[]>();
  for (const row of rows) {
    if (typeof row.experiment_id !== 'string' || typeof row.hash !== 'string') throw badFile(file, 'a row lacks experiment_id or hash');
    const list = out.get(row.experiment_id) ?? [];
    list.push(toEvent(row));
    out.set(row.experiment_id, list);
  }
  for (const list of out.values()) list.sort((a, b) => a.seq - b.seq);
  checkAgainstEnd(file, end, out);
  return out;
}

export interface ImportedExperiment {
  readonly experimentId: string;
  /** imported: new here; extended: appended the newer events; up-to-date: nothing new */
  readonly action: 'imported' | 'extended' | 'up-to-date';
  readonly events: number;
  readonly added: number;
}

/** Plan the import of one chain against the one already here. Pure. */
export function planImport(experimentId: string, incoming: readonly LedgerEvent[], existing: readonly LedgerEvent[]): ImportedExperiment & { readonly toInsert: readonly LedgerEvent[] } {
  const common = Math.min(incoming.length, existing.length);
  for (let i = 0; i < common; i++) {
    if (incoming[i]!.hash !== existing[i]!.hash) {
      throw new XpError('LEDGER_CORRUPT', `the history of ${experimentId} in the file diverges from this warehouse's at seq ${incoming[i]!.seq}; refusing to overwrite it`, {
        location: { experiment: experimentId },
        hint: 'both warehouses recorded different events after a common point; keep one history (export the one to keep, remove the other warehouse\'s copy) and import again',
      });
    }
  }
  const toInsert = incoming.slice(existing.length);
  const action = existing.length === 0 ? 'imported' : toInsert.length ? 'extended' : 'up-to-date';
  return { experimentId, action, events: incoming.length, added: toInsert.length, toInsert };
}

/** `keys`: the config's trusted signers; signed events in the file must verify under them (as `xp ledger verify` checks). */
export async function importLedger(db: Db, file: string, only?: ReadonlySet<string>, keys?: TrustedKeys): Promise<ImportedExperiment[]> {
  await ensureLedgerTables(db);
  const incoming = await readLedgerFile(db, file);
  const ids = [...incoming.keys()].filter((id) => !only || only.has(id)).sort();
  const fileReports = ids.map((id) => verifyChain(id, incoming.get(id)!, undefined, keys));
  for (const r of fileReports) {
    if (r.problems.length) {
      const p = r.problems[0]!;
      throw new XpError('LEDGER_CORRUPT', `${file}: the chain of ${p.experimentId} is broken at seq ${p.seq}: ${p.message.replace(/^.*?: /, '')}`, {
        location: { file, experiment: p.experimentId },
        hint: `nothing was imported; ${p.hint ?? 'export the experiment again from its source warehouse'}`,
      });
    }
  }
  const heads = await readHeads(db);
  const here = await readEvents(db, ids);
  assertIntact(ids.filter((id) => here.has(id) || heads.has(id)).map((id) => verifyChain(id, here.get(id) ?? [], heads.get(id) ?? null)));
  const plans = ids.map((id) => planImport(id, incoming.get(id)!, here.get(id) ?? []));
  await db.transaction(async (tx) => {
    await insertEvents(tx, plans.flatMap((p) => p.toInsert));
  });
  return plans.map(({ toInsert: _, ...rest }) => rest);
}
