/**
 * The platform's own tables in schema `xp` (fingerprints, run results), typed for Kysely,
 * and the small catalog questions every reader asks (does this table exist?).
 * Models and analysis results live in schema `exp`.
 */
import { Kysely } from 'kysely';
import type { Db } from './connection.ts';
import { duckDbDialect } from './kysely/duckdb-dialect.ts';

export const MODEL_SCHEMA = 'exp';
export const PLATFORM_SCHEMA = 'xp';

export interface PartitionsTable {
  model: string;
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
