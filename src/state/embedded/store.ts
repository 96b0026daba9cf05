/**
 * The embedded state: schema `xp` of the DuckDB warehouse itself. Its transactions are the
 * warehouse's, so a stage's ledger event and fingerprint commit with the data they
 * describe. It borrows the warehouse connection: closing it closes nothing.
 */
import { Kysely } from 'kysely';
import type { Db } from '../../engine/connection.ts';
import { duckDbDialect } from '../../engine/kysely/duckdb-dialect.ts';
import { hasStateTable } from '../has-table.ts';
import type { StateStore } from '../state.ts';
import type { StateDatabase } from '../tables.ts';

export function embeddedState(warehouse: Db): StateStore {
  const db = new Kysely<StateDatabase>({ dialect: duckDbDialect(warehouse) });
  return {
    backend: 'embedded',
    where: warehouse.path,
    db,
    transaction: (fn) => warehouse.transaction((tx) => fn(embeddedState(tx))),
    hasTable: (table) => hasStateTable(db, table),
    close: async () => undefined,
  };
}
