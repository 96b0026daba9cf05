/**
 * The state's schema, as numbered migrations run when a store is opened for writing (both
 * back ends, in one transaction; PostgreSQL also takes an advisory lock, so two workers
 * starting at once migrate once). `xp.state_version` holds one row per applied migration.
 *
 * A warehouse written before versions existed (tests/fixtures/legacy) has the tables of
 * migrations 1 and 2 already; their `create … if not exists` keep them as they are, and
 * the shape check below confirms they have every column the code reads.
 */
import { sql } from 'kysely';
import { XpError } from '../core/errors.ts';
import type { StateStore } from './state.ts';
import { STATE_SCHEMA, type LedgerHeadsTable, type LedgerTable, type PartitionsTable, type RunsTable, type StateMovesTable, type StateTable, type StateVersionTable } from './tables.ts';

interface Migration {
  readonly version: number;
  readonly name: string;
  readonly embedded: readonly string[];
  /** PostgreSQL has primary keys (DuckDB checks them eagerly, which breaks delete-then-insert in one transaction) */
  readonly postgres: readonly string[];
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'ledger and heads',
    embedded: [
      `create table if not exists xp.ledger (seq bigint not null, experiment_id varchar not null, "at" varchar not null, kind varchar not null,
        payload json not null, prev_hash varchar not null, hash varchar not null)`,
      'create table if not exists xp.ledger_heads (experiment_id varchar not null, seq bigint not null, hash varchar not null, "at" varchar not null)',
    ],
    postgres: [
      `create table if not exists xp.ledger (seq bigint not null, experiment_id text not null, "at" text not null, kind text not null,
        payload text not null, prev_hash text not null, hash text not null, primary key (experiment_id, seq))`,
      'create table if not exists xp.ledger_heads (experiment_id text primary key, seq bigint not null, hash text not null, "at" text not null)',
    ],
  },
  {
    version: 2,
    name: 'partition catalog and runs',
    embedded: [
      `create table if not exists xp.partitions (model varchar not null, experiment_id varchar not null, fingerprint varchar not null,
        rows bigint not null, built_at varchar not null, run_id varchar not null)`,
      `create table if not exists xp.runs (run_id varchar not null, started_at varchar not null, finished_at varchar,
        command varchar not null, status varchar not null, results_json varchar not null)`,
    ],
    postgres: [
      `create table if not exists xp.partitions (model text not null, experiment_id text not null, fingerprint text not null,
        rows bigint not null, built_at text not null, run_id text not null, primary key (model, experiment_id))`,
      `create table if not exists xp.runs (run_id text primary key, started_at text not null, finished_at text,
        command text not null, status text not null, results_json text not null)`,
    ],
  },
  {
    version: 3,
    name: 'moves',
    embedded: ['create table if not exists xp.state_moves (moved_to varchar not null, moved_at varchar not null, experiments bigint not null, events bigint not null)'],
    postgres: ['create table if not exists xp.state_moves (moved_to text not null, moved_at text not null, experiments bigint not null, events bigint not null)'],
  },
  {
    version: 4,
    name: 'ledger actor',
    embedded: ['alter table xp.ledger add column if not exists actor varchar'],
    postgres: ['alter table xp.ledger add column if not exists actor text'],
  },
  {
    version: 5,
    name: 'ledger signatures',
    embedded: ['alter table xp.ledger add column if not exists signature varchar', 'alter table xp.ledger add column if not exists key_id varchar'],
    postgres: ['alter table xp.ledger add column if not exists signature text', 'alter table xp.ledger add column if not exists key_id text'],
  },
];

/** The schema version this code writes and reads. */
export const STATE_VERSION = MIGRATIONS.at(-1)!.version;

/** The columns the code reads, per table: an older store missing one is refused, never half-read. */
const COLUMNS: { readonly [T in StateTable]: readonly string[] } = {
  ledger: ['seq', 'experiment_id', 'at', 'kind', 'payload', 'prev_hash', 'hash'] satisfies (keyof LedgerTable)[],
  ledger_heads: ['experiment_id', 'seq', 'hash', 'at'] satisfies (keyof LedgerHeadsTable)[],
  partitions: ['model', 'experiment_id', 'fingerprint', 'rows', 'built_at', 'run_id'] satisfies (keyof PartitionsTable)[],
  runs: ['run_id', 'started_at', 'finished_at', 'command', 'status', 'results_json'] satisfies (keyof RunsTable)[],
  state_version: ['version', 'name', 'applied_at'] satisfies (keyof StateVersionTable)[],
  state_moves: ['moved_to', 'moved_at', 'experiments', 'events'] satisfies (keyof StateMovesTable)[],
};

/** 0 for a store without a version table (new, or written before versions existed). */
export async function stateVersion(state: StateStore): Promise<number> {
  if (!(await state.hasTable('state_version'))) return 0;
  const row = await state.db.selectFrom('xp.state_version').select((eb) => eb.fn.max('version').as('v')).executeTakeFirst();
  return Number(row?.v ?? 0);
}

function tooNew(state: StateStore, version: number): XpError {
  return new XpError('STATE_VERSION', `the state at ${state.where} has schema version ${version}; this xp knows versions up to ${STATE_VERSION}`, {
    location: { object: state.where },
    hint: 'a newer exp-platform wrote it: upgrade this one (every process that shares a state must run the same or a newer version)',
  });
}

/** Reads do not migrate: a store at this version or older is read as it is (a missing table reads as empty). */
export async function assertReadable(state: StateStore): Promise<void> {
  const version = await stateVersion(state);
  if (version > STATE_VERSION) throw tooNew(state, version);
}

async function checkShape(state: StateStore): Promise<void> {
  const { rows } = await sql<{ t: string; c: string }>`select table_name as t, column_name as c from information_schema.columns
    where table_catalog = current_database() and table_schema = ${STATE_SCHEMA}`.execute(state.db);
  for (const [table, columns] of Object.entries(COLUMNS)) {
    const have = new Set(rows.filter((r) => r.t === table).map((r) => r.c));
    const missing = columns.filter((c) => !have.has(c));
    if (missing.length) {
      throw new XpError('STATE_VERSION', `the state at ${state.where}: table xp.${table} has no column ${missing.join(', ')}`, {
        location: { object: `xp.${table}` },
        hint: 'this store was not written by exp-platform, or was edited by hand; restore it from a backup or `xp ledger import <export>` into a new one',
      });
    }
  }
}

export interface MigrationResult {
  readonly from: number;
  readonly to: number;
  readonly applied: readonly string[];
}

/** Bring the store to STATE_VERSION (idempotent; a current store costs one query). */
export async function migrateState(state: StateStore): Promise<MigrationResult> {
  const seen = await stateVersion(state);
  if (seen === STATE_VERSION) return { from: seen, to: seen, applied: [] };
  if (seen > STATE_VERSION) throw tooNew(state, seen);
  return state.transaction(async (tx) => {
    if (tx.backend === 'postgres') await sql`select pg_advisory_xact_lock(hashtext('exp-platform state migrations'))`.execute(tx.db);
    await sql.raw(`create schema if not exists ${STATE_SCHEMA}`).execute(tx.db);
    await sql.raw('create table if not exists xp.state_version (version integer not null, name varchar not null, applied_at varchar not null)').execute(tx.db);
    const from = await stateVersion(tx); // again, under the lock: another process may have migrated meanwhile
    if (from > STATE_VERSION) throw tooNew(tx, from);
    const applied: string[] = [];
    for (const m of MIGRATIONS.filter((x) => x.version > from)) {
      for (const statement of m[tx.backend]) await sql.raw(statement).execute(tx.db);
      await tx.db.insertInto('xp.state_version').values({ version: m.version, name: m.name, applied_at: new Date().toISOString() }).execute();
      applied.push(`${m.version} ${m.name}`);
    }
    await checkShape(tx);
    return { from, to: STATE_VERSION, applied };
  });
}
