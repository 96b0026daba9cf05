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

/**
 * The state tables known to exist, per connection: state tables are created, never
 * dropped, so a yes is kept (a no-op build of 300 experiments asked 1,500 times, 3 ms
 * each) until a transaction of the store rolls back.
 */
const known = new WeakMap<Db, Set<string>>();

export function embeddedState(warehouse: Db): StateStore {
  const db = new Kysely<StateDatabase>({ dialect: duckDbDialect(warehouse) });
  let seen = known.get(warehouse);
  if (!seen) known.set(warehouse, (seen = new Set()));
  const tables = seen;
  return {
    backend: 'embedded',
    where: warehouse.path,
    db,
    // a rolled-back transaction may have created tables it now takes back (a failed migration): forget what was seen
    transaction: (fn) => warehouse.transaction((tx) => fn(embeddedState(tx))).catch((err: unknown) => {
      tables.clear();
      known.get(warehouse)?.clear();
      throw err;
    }),
    hasTable: async (table) => {
      if (tables.has(table)) return true;
      const exists = await hasStateTable(db, table);
      if (exists) tables.add(table);
      return exists;
    },
    close: async () => undefined,
  };
}
