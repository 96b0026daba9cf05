/**
 * The state's tables, the one contract both back ends implement (src/state/embedded keeps
 * them in the DuckDB warehouse, src/state/postgres in PostgreSQL), all in schema `xp`:
 * the ledger (one hash-chained sequence per experiment) and its heads, the partition
 * catalog with each partition's fingerprint, the run records, the schema version and the
 * record of a move to another store. Readers and writers use these types through Kysely,
 * never a column name of their own.
 */

export const STATE_SCHEMA = 'xp';

export interface LedgerTable {
  seq: number;
  experiment_id: string;
  at: string;
  kind: string;
  /** canonical JSON */
  payload: string;
  prev_hash: string;
  hash: string;
  /** who appended the event (migration 4); null on older events */
  actor?: string | null;
  /** base64 ed25519 signature over the hash (migration 5); null on unsigned events */
  signature?: string | null;
  /** which key signed it: first 16 hex of sha256 of its SPKI DER (migration 5) */
  key_id?: string | null;
}

export interface LedgerHeadsTable {
  experiment_id: string;
  seq: number;
  hash: string;
  at: string;
}

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

/** One row per applied migration (src/state/migrations.ts). */
export interface StateVersionTable {
  version: number;
  name: string;
  applied_at: string;
}

/** Written when `xp state migrate` moved this store's history elsewhere: a moved-away store is not used again. */
export interface StateMovesTable {
  moved_to: string;
  moved_at: string;
  experiments: number;
  events: number;
}

export interface StateDatabase {
  'xp.ledger': LedgerTable;
  'xp.ledger_heads': LedgerHeadsTable;
  'xp.partitions': PartitionsTable;
  'xp.runs': RunsTable;
  'xp.state_version': StateVersionTable;
  'xp.state_moves': StateMovesTable;
}

/** A state table's name inside schema `xp`. */
export type StateTable = keyof StateDatabase extends `xp.${infer T}` ? T : never;
