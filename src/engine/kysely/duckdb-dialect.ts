/**
 * A small Kysely dialect over our DuckDB door (src/engine/connection.ts). DuckDB speaks
 * PostgreSQL's `$1` placeholders and double-quoted identifiers, so Kysely's Postgres
 * query compiler and adapter fit; only the driver is ours. One connection, so queries
 * are serialised through a mutex (DuckDB connections are not re-entrant).
 */
import {
  CompiledQuery,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type Kysely,
  type QueryResult,
} from 'kysely';
import type { Db, SqlValue } from '../connection.ts';

class DuckDbConnection implements DatabaseConnection {
  constructor(private readonly db: Db) {}

  async executeQuery<R>(compiled: CompiledQuery): Promise<QueryResult<R>> {
    const params = compiled.parameters.map((p) => (p instanceof Date ? p.toISOString() : p)) as SqlValue[];
    const isSelect = /^\s*(with|select|from|describe|show|pragma|values)\b/i.test(compiled.sql) || /\breturning\b/i.test(compiled.sql);
    if (isSelect) {
      const rows = await this.db.all(compiled.sql, params);
      return { rows: rows as R[] };
    }
    const changed = await this.db.run(compiled.sql, params);
    return { rows: [], numAffectedRows: BigInt(changed) };
  }

  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('streaming is not supported by the DuckDB dialect');
  }
}

class DuckDbDriver implements Driver {
  #queue: Promise<void> = Promise.resolve();
  #release: (() => void) | undefined;
  readonly #conn: DuckDbConnection;

  constructor(private readonly db: Db) {
    this.#conn = new DuckDbConnection(db);
  }

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    const previous = this.#queue;
    let release!: () => void;
    this.#queue = new Promise((r) => (release = r));
    await previous;
    this.#release = release;
    return this.#conn;
  }

  async beginTransaction(conn: DatabaseConnection): Promise<void> {
    await conn.executeQuery(CompiledQuery.raw('begin transaction'));
  }

  async commitTransaction(conn: DatabaseConnection): Promise<void> {
    await conn.executeQuery(CompiledQuery.raw('commit'));
  }

  async rollbackTransaction(conn: DatabaseConnection): Promise<void> {
    await conn.executeQuery(CompiledQuery.raw('rollback'));
  }

  async releaseConnection(): Promise<void> {
    const r = this.#release;
    this.#release = undefined;
    r?.();
  }

  /** The Db's owner closes it; Kysely only borrows it. */
  async destroy(): Promise<void> {}
}

export function duckDbDialect(db: Db): Dialect {
  return {
    createAdapter: () => new PostgresAdapter(),
    createDriver: () => new DuckDbDriver(db),
    createQueryCompiler: () => new PostgresQueryCompiler(),
    createIntrospector: (k: Kysely<unknown>) => new PostgresIntrospector(k),
  };
}
