/**
 * The platform's own tables in schema `xp` (fingerprints, run results), typed for Kysely,
 * and the only code that reads or writes them; plus the small catalog questions every
 * reader asks (does this table exist?). Models and analysis results live in schema `exp`;
 * the ledger's tables are src/ledger/store.ts.
 */
import { Kysely } from 'kysely';
import type { RunResults } from '../core/results.ts';
import { PartitionMap, type PartitionKey } from '../plan/partition-map.ts';
import type { Db } from './connection.ts';
import { duckDbDialect } from './kysely/duckdb-dialect.ts';

export const MODEL_SCHEMA = 'exp';
export const PLATFORM_SCHEMA = 'xp';

export interface PartitionsTable {
  model: string;
  /** '' for a project-level model (PartitionKey's null) */
  experiment_id: string;
  fingerprint: string;
  rows: number;
  built_at: string;
  run_id: string;
}

export interface RunsTable {
  run_id: string;
  started_at: string;
  finished_at: string | null;
  command: string;
  status: string;
  results_json: string;
}

export interface PlatformDatabase {
  'xp.partitions': PartitionsTable;
  'xp.runs': RunsTable;
}

export function platformDb(db: Db): Kysely<PlatformDatabase> {
  return new Kysely<PlatformDatabase>({ dialect: duckDbDialect(db) });
}

/** Idempotent: creates the schemas and platform tables if missing. */
export async function ensurePlatformTables(db: Db): Promise<void> {
  await db.run(`create schema if not exists ${MODEL_SCHEMA}`);
  await db.run(`create schema if not exists ${PLATFORM_SCHEMA}`);
  await db.run(`create table if not exists xp.partitions (
    model varchar not null, experiment_id varchar not null, fingerprint varchar not null,
    rows bigint not null, built_at varchar not null, run_id varchar not null)`);
  // no primary keys: DuckDB checks them eagerly, which breaks delete-then-insert in one
  // transaction; writers always delete the key first.
  await db.run(`create table if not exists xp.runs (
    run_id varchar not null, started_at varchar not null, finished_at varchar,
    command varchar not null, status varchar not null, results_json varchar not null)`);
}

/** Does `schema.table` exist (a table or a view)? */
export async function tableExists(db: Db, schema: string, table: string): Promise<boolean> {
  const rows = await db.all('select 1 from information_schema.tables where table_schema = $1 and table_name = $2', [schema, table]);
  return rows.length > 0;
}

/** The names of the tables and views in `schema`. */
export async function tablesIn(db: Db, schema: string): Promise<Set<string>> {
  const rows = await db.all<{ name: string }>('select table_name as name from information_schema.tables where table_schema = $1', [schema]);
  return new Set(rows.map((r) => r.name));
}

// Readers below may open a warehouse that no build has written yet (read-only, dry runs):
// a missing platform table reads as empty.
const hasPlatformTable = (db: Db, table: 'partitions' | 'runs'): Promise<boolean> => tableExists(db, PLATFORM_SCHEMA, table);

const toExperimentColumn = (experimentId: string | null): string => experimentId ?? '';
const fromExperimentColumn = (experimentId: string): string | null => experimentId || null;

/** A partition the materialiser has just built: what xp.partitions records of it. */
export interface PartitionFingerprint extends PartitionKey {
  readonly fingerprint: string;
  readonly runId: string;
}

/** Record a built partition's fingerprint, inside the same transaction as its data (replaces the previous one). */
export async function recordFingerprint(db: Db, partition: PartitionFingerprint, rows: number): Promise<void> {
  const k = platformDb(db);
  const experimentId = toExperimentColumn(partition.experimentId);
  await k.deleteFrom('xp.partitions').where('model', '=', partition.model).where('experiment_id', '=', experimentId).execute();
  await k.insertInto('xp.partitions').values({
    model: partition.model, experiment_id: experimentId, fingerprint: partition.fingerprint, rows, built_at: new Date().toISOString(), run_id: partition.runId,
  }).execute();
}

/** Every recorded partition's fingerprint (the planner's `stored`). */
export async function readStoredFingerprints(db: Db): Promise<PartitionMap<string>> {
  if (!(await hasPlatformTable(db, 'partitions'))) return new PartitionMap();
  const rows = await platformDb(db).selectFrom('xp.partitions').select(['model', 'experiment_id', 'fingerprint']).execute();
  return new PartitionMap(rows.map((r) => [{ model: r.model, experimentId: fromExperimentColumn(r.experiment_id) }, r.fingerprint]));
}

/** The recorded nodes (models and `analysis:<plugin>`) of one experiment with their fingerprints, by node name. */
export async function experimentFingerprints(db: Db, experimentId: string): Promise<{ node: string; fingerprint: string }[]> {
  if (!(await hasPlatformTable(db, 'partitions'))) return [];
  const rows = await platformDb(db).selectFrom('xp.partitions').select(['model', 'fingerprint'])
    .where('experiment_id', '=', experimentId).orderBy('model').execute();
  return rows.map((r) => ({ node: r.model, fingerprint: r.fingerprint }));
}

/** True when any partition of the experiment was ever built (the warehouse holds its results). */
export async function hasBuiltPartitions(db: Db, experimentId: string): Promise<boolean> {
  if (!(await hasPlatformTable(db, 'partitions'))) return false;
  const row = await platformDb(db).selectFrom('xp.partitions').select('model').where('experiment_id', '=', experimentId).limit(1).executeTakeFirst();
  return row !== undefined;
}

export interface BuiltPartition extends PartitionKey {
  readonly rows: number;
  readonly builtAt: string;
}

/** Every recorded partition, by model then experiment (project-level first). */
export async function readPartitions(db: Db): Promise<BuiltPartition[]> {
  if (!(await hasPlatformTable(db, 'partitions'))) return [];
  const rows = await platformDb(db).selectFrom('xp.partitions').select(['model', 'experiment_id', 'rows', 'built_at'])
    .orderBy('model').orderBy('experiment_id').execute();
  return rows.map((r) => ({ model: r.model, experimentId: fromExperimentColumn(r.experiment_id), rows: Number(r.rows), builtAt: r.built_at }));
}

/** Record a build or test run (target/run_results.json holds the same envelope); replaces a row of the same run id. */
export async function recordRun<R>(db: Db, run: RunResults<R>): Promise<void> {
  const k = platformDb(db);
  await k.deleteFrom('xp.runs').where('run_id', '=', run.run_id).execute();
  await k.insertInto('xp.runs').values({
    run_id: run.run_id, started_at: run.started_at, finished_at: run.finished_at, command: run.command, status: run.status, results_json: JSON.stringify(run.results),
  }).execute();
}

/** The newest recorded runs first, at most `limit`; `results_json` is left for the reader to parse. */
export async function readRuns(db: Db, limit: number): Promise<RunsTable[]> {
  if (!(await hasPlatformTable(db, 'runs'))) return [];
  return platformDb(db).selectFrom('xp.runs').selectAll().orderBy('started_at', 'desc').limit(limit).execute();
}
