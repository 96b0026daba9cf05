/**
 * The state store: where the ledger, the partition catalog and the run records live.
 * One interface, two back ends with the same file names:
 *
 * - `embedded/` (the default): schema `xp` of the DuckDB warehouse, as before; a stage's
 *   ledger event and fingerprint commit in the transaction that swaps its data.
 * - `postgres/` (`state: { url_env: XP_STATE_URL }`): schema `xp` of a PostgreSQL
 *   database, shared by every process and machine of the project. Partition data stays in
 *   the warehouse; a stage's state commits right after its data (src/state/bind.ts).
 *
 * src/ledger/store.ts and src/engine/platform-store.ts are the only readers and writers
 * of the tables; they find the store of a warehouse connection with `stateOf` (bind.ts).
 */
import type { Kysely } from 'kysely';
import type { StateDatabase, StateTable } from './tables.ts';

export type StateBackend = 'embedded' | 'postgres';

export interface StateStore {
  readonly backend: StateBackend;
  /** where the state lives, for messages: the warehouse file, or PostgreSQL's user@host:port/database (never a password) */
  readonly where: string;
  /** the typed tables; inside `transaction`, the transaction's */
  readonly db: Kysely<StateDatabase>;
  /** run `fn` in one transaction of the store (joined when one is open): committed if it resolves, rolled back if it throws */
  transaction<T>(fn: (state: StateStore) => Promise<T>): Promise<T>;
  /** does `xp.<table>` exist? A store no build has written yet reads as empty */
  hasTable(table: StateTable): Promise<boolean>;
  /** release connections (the embedded store borrows the warehouse's and closes nothing) */
  close(): Promise<void>;
}

export function isStateStore(x: object): x is StateStore {
  return 'backend' in x && 'hasTable' in x;
}
