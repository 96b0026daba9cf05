/**
 * PostgreSQL (or Redshift over the PostgreSQL protocol) as the raw store: `storage.raw:
 * postgres`. Each configured source table of an experiment is one object,
 * `<id>/<table>/postgres.parquet`, whose ETag is the partition's snapshot (row count plus
 * the max of `change_column`, or a hash of every row's text) and whose size is its row
 * count. So an unchanged source stages nothing and rebuilds nothing, and a changed one is
 * refused under existing results like a rewritten S3 object (INPUT_CHANGED). Staging
 * extracts the partition (extract.ts: COPY, or a cursor on Redshift; unload.ts: Redshift UNLOAD to S3), in a repeatable-read
 * transaction that re-checks the snapshot, into the local cache as Parquet. Read-only: `xp generate` cannot write here.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { sha256 } from '../../core/hash.ts';
import { XpError } from '../../core/errors.ts';
import type { ProjectConfig } from '../../project/types.ts';
import { contractProblem, rawContractText } from '../raw-schema.ts';
import { safeJoin } from '../safe-path.ts';
import { assertExperimentId } from '../s3/keys.ts';
import { sweepStaleTemps, tempPathFor, type CacheEntry } from '../s3/cache.ts';
import type { RawObject, RawStore, StageProgress } from '../types.ts';
import { connectSource, sourceLabel, type SourceConnection, type SourceField } from './connect.ts';
import { extractToParquet } from './extract.ts';
import { resolveWarehouseSettings, type SourceTable, type WarehouseSettings } from './settings.ts';
import { EXPERIMENT_SETTING, extractSql, shapeSql, snapshotSql, type ChangeProbe } from './source-sql.ts';
import { duckdbTypeOf } from './types-map.ts';
import { sendUnload, unloadToParquet, type Unloader } from './unload.ts';

/**
 * Columns that must not be NULL in a source row: the variant and event labels and their
 * times, without which a row belongs nowhere. A NULL user_id is let through, as from Parquet:
 * dq_results measures it (exposures_missing_user_id) against dq_max_missing_key_rate.
 */
export const KEY_COLUMNS: Readonly<Record<SourceTable, readonly string[]>> = {
  exposures: ['variant', 'exposed_at'],
  outcomes: ['event', 'occurred_at'],
};

const OBJECT_NAME = 'postgres.parquet';

export interface WarehouseStoreOptions {
  readonly env?: NodeJS.ProcessEnv;
  /** runs Redshift's UNLOAD statement (storage.warehouse_source.unload); default: send it to the source */
  readonly unloader?: Unloader;
}

interface Meta { readonly etag: string }

export async function postgresRawStore(config: ProjectConfig, options: WarehouseStoreOptions = {}): Promise<RawStore> {
  const s = resolveWarehouseSettings(config, options.env);
  const label = sourceLabel(s.url);
  const cacheDir = safeJoin(s.cacheRoot, 'postgres', sha256(label).slice(0, 16));
  let conn: SourceConnection | undefined;
  const shapes = new Map<SourceTable, SourceField[]>();

  const connection = async (): Promise<SourceConnection> => (conn ??= await connectSource(s.url, s.urlEnv));

  const where = (table: SourceTable): string => `raw.${table} (storage.warehouse_source.${table} in ${label})`;

  /** Statement failures: a missing table or column names the source; anything else is the server's. */
  const queryError = (err: unknown, table: SourceTable, experimentId: string): XpError => {
    if (err instanceof XpError) return err;
    const e = err as { code?: string; message?: string };
    const location = { experiment: experimentId, file: s.configFile };
    if (e.code === '42P01' || e.code === '42703' || e.code === '3F000') {
      return new XpError('RAW_SCHEMA_INVALID', `${where(table)}: ${e.message}`, {
        location,
        hint: `point storage.warehouse_source.${table} at a table or query with the columns experiment_id, ${rawContractText(table)}; no model ran, the previous partition is intact`,
      });
    }
    if (e.code?.startsWith('42')) {
      return new XpError('CONFIG_INVALID', `${where(table)}: the source SQL does not run: ${e.message}`, { location, hint: `fix the SQL in storage.warehouse_source.${table}` });
    }
    return new XpError('STORAGE_UNAVAILABLE', `${where(table)}: ${e.message ?? String(err)}`, { location, hint: 'check the server; nothing was built, the previous partitions are intact' });
  };

  /** The source's columns, checked against the raw contract (once per store). */
  const shapeOf = async (table: SourceTable, experimentId: string): Promise<SourceField[]> => {
    const known = shapes.get(table);
    if (known) return known;
    const c = await connection();
    let fields: SourceField[];
    try {
      fields = (await c.query(shapeSql(s.relations.get(table)!))).fields;
    } catch (err) {
      throw queryError(err, table, experimentId);
    }
    const problem = contractProblem(table, fields.map((f) => ({ name: f.name, type: duckdbTypeOf(f.typeId) })))
      ?? (fields.some((f) => f.name === 'experiment_id') ? undefined : 'column "experiment_id" is missing');
    if (problem) {
      throw new XpError('RAW_SCHEMA_INVALID', `${where(table)}: ${problem}`, {
        location: { experiment: experimentId, file: s.configFile },
        hint: `the source must have the columns ${rawContractText(table)} (integers pass for text and double precision, date and timestamptz for timestamp; extra columns are carried along); no model ran, the previous partition is intact`,
      });
    }
    shapes.set(table, fields);
    return fields;
  };

  /** `change_column` where the table has it (shapeOf ran first); a content hash elsewhere. */
  const probeOf = (table: SourceTable): ChangeProbe =>
    s.probe.kind === 'column' && shapes.get(table)?.some((f) => f.name === (s.probe as { column: string }).column) ? s.probe : { kind: 'content' };

  /** The partition's snapshot: its row count and ETag, refusing NULL keys. */
  const snapshot = async (c: SourceConnection, table: SourceTable, experimentId: string): Promise<{ rows: number; etag: string }> => {
    const keys = KEY_COLUMNS[table];
    const probe = probeOf(table);
    let row: Record<string, string | null>;
    try {
      row = (await c.query(snapshotSql(s.relations.get(table)!, probe, keys), [experimentId])).rows[0]!;
    } catch (err) {
      throw queryError(err, table, experimentId);
    }
    const rows = Number(row['n']);
    keys.forEach((col, i) => {
      const nulls = Number(row[`null_${i}`]);
      if (nulls > 0) {
        throw new XpError('RAW_SCHEMA_INVALID', `${where(table)}: ${nulls} row(s) of experiment ${experimentId} have NULL in key column "${col}"`, {
          location: { experiment: experimentId, file: s.configFile },
          hint: `fill or filter those rows in the source (e.g. a SQL source with "where ${col} is not null"); no model ran, the previous partition is intact`,
        });
      }
    });
    return { rows, etag: `${rows}-${sha256(`${probe.kind === 'column' ? probe.column : 'content'}|${row['probe'] ?? ''}`).slice(0, 16)}` };
  };

  const entryOf = (key: string): CacheEntry => {
    const file = safeJoin(cacheDir, ...key.split('/'));
    const dir = path.dirname(file);
    return { file, dir, meta: path.join(dir, `.${path.basename(file)}.meta.json`) };
  };
  const isCached = (entry: CacheEntry, obj: RawObject): boolean => {
    try {
      return (JSON.parse(readFileSync(entry.meta, 'utf8')) as Partial<Meta>).etag === obj.etag && existsSync(entry.file);
    } catch {
      return false;
    }
  };

  /** Extract one partition inside a repeatable-read transaction whose snapshot must still be the listed one. */
  const extract = async (experimentId: string, table: SourceTable, obj: RawObject, entry: CacheEntry, onRows: (n: number) => void): Promise<void> => {
    const c = await connection();
    const fields = await shapeOf(table, experimentId);
    await mkdir(entry.dir, { recursive: true });
    await sweepStaleTemps(entry);
    const temp = tempPathFor(entry);
    try {
      await c.query('begin isolation level repeatable read read only');
      try {
        // bound: the id never enters SQL text; extractSql reads it back with current_setting
        await c.query(`select set_config('${EXPERIMENT_SETTING}', $1, true)`, [experimentId]);
        const now = await snapshot(c, table, experimentId);
        if (now.etag !== obj.etag) {
          throw new XpError('INPUT_CHANGED', `${where(table)}: the rows of experiment ${experimentId} changed while the build started (snapshot ${obj.etag} → ${now.etag})`, {
            location: { experiment: experimentId, object: obj.key },
            hint: 'run the build again; nothing was extracted, the previous partition is intact',
          });
        }
        if (s.unload) {
          // UNLOAD writes files, not rows, so it runs outside this snapshot: the snapshot
          // is checked again once the files are down, and a move between is INPUT_CHANGED
          await c.query('rollback');
          const rows = await unloadToParquet({
            conn: c, config, env: options.env, target: s.unload, relation: s.relations.get(table)!, table, experimentId, fields, parquetFile: temp, unloader: options.unloader ?? sendUnload,
          });
          const after = await snapshot(c, table, experimentId);
          if (after.etag !== obj.etag || rows !== obj.size) {
            throw new XpError('INPUT_CHANGED', `${where(table)}: the rows of experiment ${experimentId} changed during UNLOAD (snapshot ${obj.etag} → ${after.etag}, ${obj.size} → ${rows} rows unloaded)`, {
              location: { experiment: experimentId, object: obj.key },
              hint: 'run the build again; nothing was cached, the previous partition is intact',
            });
          }
          onRows(rows);
        } else {
          await extractToParquet(c, extractSql(s.relations.get(table)!), fields, temp, { batchRows: s.batchRows, onRows });
        }
      } catch (err) {
        throw queryError(err, table, experimentId);
      } finally {
        await c.query('rollback').catch(() => undefined);
      }
      await rm(entry.meta, { force: true });
      await rename(temp, entry.file);
      const metaTemp = `${tempPathFor(entry)}.meta`;
      await writeFile(metaTemp, JSON.stringify({ etag: obj.etag } satisfies Meta));
      await rename(metaTemp, entry.meta);
    } finally {
      await rm(temp, { force: true });
    }
  };

  return {
    uri: `postgres:${label}`,

    async list(experimentId) {
      assertExperimentId(experimentId);
      const c = await connection();
      const out: RawObject[] = [];
      for (const table of s.relations.keys()) {
        await shapeOf(table, experimentId);
        const snap = await snapshot(c, table, experimentId);
        if (snap.rows > 0) out.push({ key: `${experimentId}/${table}/${OBJECT_NAME}`, size: snap.rows, etag: snap.etag });
      }
      return out.sort((a, b) => a.key.localeCompare(b.key));
    },

    async localPaths(experimentId, objects, progress?: StageProgress) {
      assertExperimentId(experimentId);
      // progress counts rows (an object's size is its row count)
      const total = objects.reduce((n, o) => n + o.size, 0);
      let done = 0;
      const paths = new Map<string, string>();
      for (const obj of objects) {
        const table = obj.key.split('/')[1] as SourceTable;
        if (!obj.key.startsWith(`${experimentId}/`) || !s.relations.has(table)) {
          throw new XpError('EXPERIMENT_ID_INVALID', `object key ${JSON.stringify(obj.key)} is not a source table of experiment ${experimentId}`, {
            location: { experiment: experimentId, object: obj.key },
            hint: 'pass the objects returned by list() for the same experiment',
          });
        }
        const entry = entryOf(obj.key);
        if (!isCached(entry, obj)) await extract(experimentId, table, obj, entry, (n) => progress?.(done + n, total, obj.key));
        done += obj.size;
        progress?.(done, total, obj.key);
        paths.set(obj.key, entry.file);
      }
      return paths;
    },

    async put(experimentId, relativeKey) {
      throw new XpError('CONFIG_INVALID', `the PostgreSQL raw store is read-only: cannot write ${experimentId}/${relativeKey}`, {
        location: { experiment: experimentId, file: s.configFile },
        hint: 'generate synthetic data with a file:// or s3:// storage.raw (e.g. --config pointing at another config), then load it into the source tables',
      });
    },

    scratchDir(experimentId) {
      assertExperimentId(experimentId);
      const dir = safeJoin(s.cacheRoot, 'postgres-scratch', experimentId);
      mkdirSync(dir, { recursive: true });
      return dir;
    },

    async close() {
      const c = conn;
      conn = undefined;
      await c?.end().catch(() => undefined);
    },
  };
}
