/**
 * The catalog tables of the state store (src/state): `xp.partitions` (each built
 * partition's fingerprint) and `xp.runs` (run records), typed for Kysely, and the only
 * code that reads or writes them; plus the small catalog questions every reader asks of
 * the warehouse (does this table exist?). Models and analysis results live in the
 * warehouse's schema `exp`; the ledger's tables are src/ledger/store.ts. Every function
 * takes a warehouse connection and uses its bound store (src/state/bind.ts).
 */
import type { Kysely } from 'kysely';
import type { RunResults } from '../core/results.ts';
import { PartitionMap, type PartitionKey } from '../plan/partition-map.ts';
import { stateOf, type StateSource } from '../state/bind.ts';
import { migrateState } from '../state/migrations.ts';
import { isStateStore } from '../state/state.ts';
import { STATE_SCHEMA, type RunsTable, type StateDatabase } from '../state/tables.ts';
import type { Db } from './connection.ts';
import { scratchOf } from './scratch/scratch-db.ts';

export const MODEL_SCHEMA = 'exp';
export const PLATFORM_SCHEMA = STATE_SCHEMA;

export type { PartitionsTable, RunsTable } from '../state/tables.ts';

export type PlatformDatabase = Pick<StateDatabase, 'xp.partitions' | 'xp.runs'>;

export function platformDb(source: StateSource): Kysely<StateDatabase> {
  return stateOf(source).db;
}

/** Idempotent: creates the warehouse's model schema and brings the state store to the current schema. */
export async function ensurePlatformTables(db: Db): Promise<void> {
  await db.run(`create schema if not exists ${MODEL_SCHEMA}`);
  await migrateState(stateOf(db));
}

/** Does `schema.table` exist (a table or a view)? */
export async function tableExists(db: Db, schema: string, table: string): Promise<boolean> {
  const rows = await db.all('select 1 from information_schema.tables where table_catalog = current_database() and table_schema = $1 and table_name = $2', [schema, table]);
  return rows.length > 0;
}

/** The names of the tables and views in `schema`. */
export async function tablesIn(db: Db, schema: string): Promise<Set<string>> {
  const rows = await db.all<{ name: string }>('select table_name as name from information_schema.tables where table_catalog = current_database() and table_schema = $1', [schema]);
  return new Set(rows.map((r) => r.name));
}

// Readers below may open a state no build has written yet (read-only, dry runs): a missing
// platform table reads as empty.
const hasPlatformTable = (db: StateSource, table: 'partitions' | 'runs'): Promise<boolean> => stateOf(db).hasTable(table);

/** Sorted in JavaScript: code-point order on every back end (a PostgreSQL collation may differ from DuckDB's). */
const byCodePoint = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

const toExperimentColumn = (experimentId: string | null): string => experimentId ?? '';
const fromExperimentColumn = (experimentId: string): string | null => experimentId || null;

/** A partition the materialiser has just built: what xp.partitions records of it. */
export interface PartitionFingerprint extends PartitionKey {
  readonly fingerprint: string;
  readonly runId: string;
}

/**
 * Record a built partition's fingerprint, inside the same transaction as its data
 * (replaces the previous one). In a build's scratch (src/engine/scratch) the partition is
 * also noted, so the scratch commits its rows to the warehouse with the transaction.
 */
export async function recordFingerprint(db: StateSource, partition: PartitionFingerprint, rows: number): Promise<void> {
  const experimentId = toExperimentColumn(partition.experimentId);
  if (!isStateStore(db)) scratchOf(db)?.note({ model: partition.model, experimentId: partition.experimentId });
  await stateOf(db).transaction(async ({ db: k }) => {
    await k.deleteFrom('xp.partitions').where('model', '=', partition.model).where('experiment_id', '=', experimentId).execute();
    await k.insertInto('xp.partitions').values({
      model: partition.model, experiment_id: experimentId, fingerprint: partition.fingerprint, rows, built_at: new Date().toISOString(), run_id: partition.runId,
    }).execute();
  });
}

/** Every recorded partition's fingerprint (the planner's `stored`). */
export async function readStoredFingerprints(db: StateSource): Promise<PartitionMap<string>> {
  if (!(await hasPlatformTable(db, 'partitions'))) return new PartitionMap();
  const rows = await platformDb(db).selectFrom('xp.partitions').select(['model', 'experiment_id', 'fingerprint']).execute();
  return new PartitionMap(rows.map((r) => [{ model: r.model, experimentId: fromExperimentColumn(r.experiment_id) }, r.fingerprint]));
}

/** The recorded nodes (models and `analysis:<plugin>`) of one experiment with their fingerprints, by node name. */
export async function experimentFingerprints(db: StateSource, experimentId: string): Promise<{ node: string; fingerprint: string }[]> {
  if (!(await hasPlatformTable(db, 'partitions'))) return [];
  const rows = await platformDb(db).selectFrom('xp.partitions').select(['model', 'fingerprint'])
    .where('experiment_id', '=', experimentId).execute();
  return rows.sort((a, b) => byCodePoint(a.model, b.model)).map((r) => ({ node: r.model, fingerprint: r.fingerprint }));
}

/** True when any partition of the experiment was ever built (the warehouse holds its results). */
export async function hasBuiltPartitions(db: StateSource, experimentId: string): Promise<boolean> {
  if (!(await hasPlatformTable(db, 'partitions'))) return false;
  const row = await platformDb(db).selectFrom('xp.partitions').select('model').where('experiment_id', '=', experimentId).limit(1).executeTakeFirst();
  return row !== undefined;
}

export interface BuiltPartition extends PartitionKey {
  readonly rows: number;
  readonly builtAt: string;
}

/** Every recorded partition, by model then experiment (project-level first). */
export async function readPartitions(db: StateSource): Promise<BuiltPartition[]> {
  if (!(await hasPlatformTable(db, 'partitions'))) return [];
  const rows = await platformDb(db).selectFrom('xp.partitions').select(['model', 'experiment_id', 'rows', 'built_at']).execute();
  rows.sort((a, b) => byCodePoint(a.model, b.model) || byCodePoint(a.experiment_id, b.experiment_id));
  return rows.map((r) => ({ model: r.model, experimentId: fromExperimentColumn(r.experiment_id), rows: Number(r.rows), builtAt: r.built_at }));
}

/** Record a build or test run (target/run_results.json holds the same envelope); replaces a row of the same run id. */
export async function recordRun<R>(db: StateSource, run: RunResults<R>): Promise<void> {
  await stateOf(db).transaction(async ({ db: k }) => {
    await k.deleteFrom('xp.runs').where('run_id', '=', run.run_id).execute();
    await k.insertInto('xp.runs').values({
      run_id: run.run_id, started_at: run.started_at, finished_at: run.finished_at, command: run.command, status: run.status, results_json: JSON.stringify(run.results),
    }).execute();
  });
}

/** The newest recorded runs first, at most `limit`; `results_json` is left for the reader to parse. */
export async function readRuns(db: StateSource, limit: number): Promise<RunsTable[]> {
  if (!(await hasPlatformTable(db, 'runs'))) return [];
  return platformDb(db).selectFrom('xp.runs').selectAll().orderBy('started_at', 'desc').orderBy('run_id', 'desc').limit(limit).execute();
}
