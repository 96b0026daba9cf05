/**
 * A warehouse connection carries its state store: `stateOf(db)` is the store the ledger
 * and the catalog (src/ledger/store.ts, src/engine/platform-store.ts) read and write. A
 * plain `Db` is its own embedded store, as it always was; `withState(warehouse, store)`
 * binds another one (PostgreSQL).
 *
 * A transaction of a bound connection is a transaction of both: the state's is opened
 * first and committed last, so the warehouse commits the data, then the state commits the
 * events and fingerprints that describe it. If the process dies between the two, the
 * state never claims data that did not commit; it only misses a stage that did, which
 * the next build finds unrecorded and builds again.
 */
import type { Db, SqlParams, Row, StatementInfo } from '../engine/connection.ts';
import { embeddedState } from './embedded/store.ts';
import { isStateStore, type StateStore } from './state.ts';

export class StatefulDb implements Db {
  constructor(
    readonly warehouse: Db,
    readonly state: StateStore,
    private readonly onClose: () => void = () => undefined,
  ) {}

  get path(): string {
    return this.warehouse.path;
  }

  run(sql: string, params?: SqlParams): Promise<number> {
    return this.warehouse.run(sql, params);
  }

  all<T extends Row = Row>(sql: string, params?: SqlParams): Promise<T[]> {
    return this.warehouse.all<T>(sql, params);
  }

  columns(sql: string, params?: SqlParams): Promise<{ name: string; type: string }[]> {
    return this.warehouse.columns(sql, params);
  }

  statementTypes(sql: string): Promise<StatementInfo[]> {
    return this.warehouse.statementTypes(sql);
  }

  transaction<T>(fn: (db: Db) => Promise<T>): Promise<T> {
    return this.state.transaction((state) =>
      this.warehouse.transaction((warehouse) => fn(state === this.state && warehouse === this.warehouse ? this : new StatefulDb(warehouse, state))));
  }

  interrupt(): void {
    this.warehouse.interrupt();
  }

  /** Closes the warehouse and runs the owner's close (which ends the state's connections). */
  close(): void {
    try {
      this.warehouse.close();
    } finally {
      this.onClose();
    }
  }
}

/** `warehouse` with `state` as its state store; `onClose` runs when the connection is closed. */
export function withState(warehouse: Db, state: StateStore, onClose?: () => void): Db {
  return new StatefulDb(warehouse, state, onClose);
}

/** The state store of a warehouse connection (its own embedded store unless another is bound), or the store itself. */
export function stateOf(source: StateSource): StateStore {
  if (source instanceof StatefulDb) return source.state;
  if (isStateStore(source)) return source;
  return embeddedState(source);
}

/** What the ledger and catalog functions accept: a warehouse connection (its bound store) or a store. */
export type StateSource = Db | StateStore;
