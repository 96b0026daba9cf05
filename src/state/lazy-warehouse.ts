/**
 * A read-only warehouse opened on first use. With the state in PostgreSQL, `xp status`,
 * `xp ledger verify|log` and the other state readers never touch the warehouse, so they
 * neither wait for nor are refused by a build that holds it; a reader that does query it
 * (xp health reads model tables) opens it then, and gets WAREHOUSE_LOCKED as before.
 */
import type { Db, Row, SqlParams, StatementInfo } from '../engine/connection.ts';

export class LazyWarehouse implements Db {
  #db: Db | undefined;
  #opening: Promise<Db> | undefined;
  #closed = false;

  constructor(
    readonly path: string,
    private readonly open: () => Promise<Db>,
  ) {}

  async #get(): Promise<Db> {
    this.#opening ??= this.open().then((db) => {
      if (this.#closed) db.close();
      else this.#db = db;
      return db;
    });
    return this.#opening;
  }

  async run(sql: string, params?: SqlParams): Promise<number> {
    return (await this.#get()).run(sql, params);
  }

  async all<T extends Row = Row>(sql: string, params?: SqlParams): Promise<T[]> {
    return (await this.#get()).all<T>(sql, params);
  }

  async columns(sql: string, params?: SqlParams): Promise<{ name: string; type: string }[]> {
    return (await this.#get()).columns(sql, params);
  }

  async statementTypes(sql: string): Promise<StatementInfo[]> {
    return (await this.#get()).statementTypes(sql);
  }

  /** Read-only: a warehouse not opened yet has nothing to keep atomic, so `fn` runs on this one. */
  transaction<T>(fn: (db: Db) => Promise<T>): Promise<T> {
    return this.#db ? this.#db.transaction(fn) : fn(this);
  }

  interrupt(): void {
    this.#db?.interrupt();
  }

  close(): void {
    this.#closed = true;
    this.#db?.close();
    this.#db = undefined;
  }
}
