/**
 * The one door to @duckdb/node-api. Everything else talks to DuckDB through `Db`, which
 * returns plain JS rows (bigint → number when safe, dates as ISO strings) and turns
 * DuckDB's lock error into a typed WAREHOUSE_LOCKED error.
 *
 * DuckDB lets one process write a file, or many read it. Builds hold the warehouse only
 * for the short sections that commit their partitions (src/engine/scratch), so opening a
 * file that another process holds waits for it (`waitSeconds`) instead of failing at once.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { DuckDBInstance, StatementType, type DuckDBConnection, type DuckDBValue } from '@duckdb/node-api';
import { XpError } from '../core/errors.ts';
import { sqlLiteral } from './sql.ts';

export type SqlValue = string | number | boolean | null | bigint;
export type SqlParams = Readonly<Record<string, SqlValue>> | readonly SqlValue[];
export type Row = Record<string, unknown>;

/** One statement of a SQL string, as DuckDB parsed and bound it (without running it). */
export interface StatementInfo {
  /** DuckDB's statement type: SELECT (also WITH, VALUES, FROM-first, DESCRIBE), INSERT, DELETE, CREATE, COPY, ATTACH, …; INVALID when it cannot be bound */
  readonly type: string;
  /** why DuckDB could not bind it (an unknown table, or it needs an earlier statement of the same string) */
  readonly error?: string;
}

export interface Db {
  /** path of the database file, or ':memory:' */
  readonly path: string;
  /** run statements; returns the number of rows changed by the last one */
  run(sql: string, params?: SqlParams): Promise<number>;
  /** run a query and return its rows as plain objects */
  all<T extends Row = Row>(sql: string, params?: SqlParams): Promise<T[]>;
  /** column names and DuckDB type names of a query's result */
  columns(sql: string, params?: SqlParams): Promise<{ name: string; type: string }[]>;
  /** the statements in `sql`, parsed and prepared but not run: what a read-only door checks before it runs one */
  statementTypes(sql: string): Promise<StatementInfo[]>;
  /** run `fn` in one transaction: committed if it resolves, rolled back if it throws */
  transaction<T>(fn: (db: Db) => Promise<T>): Promise<T>;
  /** interrupt the running query (used on SIGINT) */
  interrupt(): void;
  close(): void;
}

export interface OpenOptions {
  readonly readOnly?: boolean;
  /** DuckDB settings, e.g. { threads: 2, memory_limit: '4GB' } */
  readonly settings?: Readonly<Record<string, string>>;
  /**
   * Settings applied in order with SET once the database is open (DuckDB refuses
   * allowed_paths at start-up), then `lock_configuration = true`, so no statement can
   * change a setting afterwards. The sandbox of `xp query` (src/engine/sandbox.ts).
   */
  readonly lockedSettings?: readonly LockedSetting[];
  /**
   * How long to wait while another process holds the file (a build committing, or readers
   * when we want to write); default XP_WAREHOUSE_WAIT_SECONDS, else 120 s.
   */
  readonly waitSeconds?: number;
}

/** The default wait for a held warehouse: XP_WAREHOUSE_WAIT_SECONDS, else 120 s. */
export function defaultWaitSeconds(): number {
  const v = Number(process.env['XP_WAREHOUSE_WAIT_SECONDS']);
  return Number.isFinite(v) && v >= 0 ? v : 120;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Run `attempt` until it stops failing with DuckDB's lock conflict, for at most
 * `waitSeconds` (backing off from 5 ms to 200 ms); the last conflict is WAREHOUSE_LOCKED.
 * Another error is thrown as it is.
 */
export async function whileLocked<T>(file: string, waitSeconds: number, attempt: () => Promise<T>): Promise<T> {
  const deadline = performance.now() + waitSeconds * 1000;
  for (let delay = 5; ; delay = Math.min(delay * 2, 200)) {
    try {
      return await attempt();
    } catch (cause) {
      const locked = lockError(file, cause);
      if (!locked) throw cause;
      if (performance.now() + delay > deadline) throw locked;
      await sleep(delay);
    }
  }
}

/** One setting for OpenOptions.lockedSettings: a name and a literal value or list of strings. */
export type LockedSetting = readonly [name: string, value: string | number | boolean | readonly string[]];

function toPlain(value: unknown): unknown {
  if (typeof value === 'bigint') {
    return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value.toString();
  }
  if (value instanceof Date) {
    const iso = value.toISOString();
    return iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : iso;
  }
  if (Array.isArray(value)) return value.map(toPlain);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toPlain(v)]));
  }
  return value;
}

function bind(params: SqlParams | undefined): DuckDBValue[] | Record<string, DuckDBValue> | undefined {
  if (params === undefined) return undefined;
  return (Array.isArray(params) ? [...params] : { ...params }) as DuckDBValue[] | Record<string, DuckDBValue>;
}

/** DuckDB allows one writer process per file; its error names the holder's PID. */
export function lockError(file: string, cause: unknown): XpError | undefined {
  const msg = cause instanceof Error ? cause.message : String(cause);
  if (!/Could not set lock on file|Conflicting lock/i.test(msg)) return undefined;
  const pid = /PID (\d+)/.exec(msg)?.[1];
  return new XpError('WAREHOUSE_LOCKED', `the warehouse ${file} stayed in use by another process${pid ? ` (pid ${pid})` : ''} longer than we wait for it`, {
    location: { file },
    hint: 'builds hold it only to commit; a process that keeps it open (an interactive duckdb session, a long xp query) blocks others: close it, or raise XP_WAREHOUSE_WAIT_SECONDS',
    cause,
  });
}

class DuckDb implements Db {
  #inTransaction = false;
  constructor(
    readonly path: string,
    private readonly instance: DuckDBInstance,
    private readonly conn: DuckDBConnection,
  ) {}

  async run(sql: string, params?: SqlParams): Promise<number> {
    const result = await this.conn.run(sql, bind(params));
    return Number(result.rowsChanged);
  }

  async all<T extends Row = Row>(sql: string, params?: SqlParams): Promise<T[]> {
    const reader = await this.conn.runAndReadAll(sql, bind(params));
    return reader.getRowObjectsJS().map((r) => toPlain(r) as T);
  }

  async columns(sql: string, params?: SqlParams): Promise<{ name: string; type: string }[]> {
    const reader = await this.conn.runAndReadUntil(`select * from (${sql}) limit 0`, 0, bind(params));
    const names = reader.columnNames();
    const types = reader.columnTypes();
    return names.map((name, i) => ({ name, type: types[i]!.toString() }));
  }

  async statementTypes(sql: string): Promise<StatementInfo[]> {
    if (sql.trim() === '') return []; // DuckDB's extractor fails without a message on blank input
    const extracted = await this.conn.extractStatements(sql).catch((cause: unknown) => {
      const msg = cause instanceof Error ? cause.message : String(cause);
      throw new Error(msg.replace(/^Failed to extract statements: /, ''), { cause });
    });
    const out: StatementInfo[] = [];
    for (let i = 0; i < extracted.count; i++) {
      try {
        const prepared = await extracted.prepare(i);
        out.push({ type: StatementType[prepared.statementType] ?? `type ${prepared.statementType}` });
        prepared.destroySync();
      } catch (cause) {
        out.push({ type: 'INVALID', error: cause instanceof Error ? cause.message : String(cause) });
      }
    }
    return out;
  }

  async transaction<T>(fn: (db: Db) => Promise<T>): Promise<T> {
    if (this.#inTransaction) return fn(this);
    await this.conn.run('begin transaction');
    this.#inTransaction = true;
    try {
      const out = await fn(this);
      await this.conn.run('commit');
      return out;
    } catch (err) {
      await this.conn.run('rollback').catch(() => undefined);
      throw err;
    } finally {
      this.#inTransaction = false;
    }
  }

  interrupt(): void {
    this.conn.interrupt();
  }

  close(): void {
    this.conn.closeSync();
    this.instance.closeSync();
  }
}

export async function openDb(file: string, options: OpenOptions = {}): Promise<Db> {
  if (file !== ':memory:') mkdirSync(path.dirname(file), { recursive: true });
  const config: Record<string, string> = { ...(options.settings ?? {}) };
  if (options.readOnly) config['access_mode'] = 'READ_ONLY';
  let instance: DuckDBInstance;
  try {
    instance = file === ':memory:'
      ? await DuckDBInstance.create(file, config)
      : await whileLocked(file, options.waitSeconds ?? defaultWaitSeconds(), () => DuckDBInstance.create(file, config));
  } catch (cause) {
    if (cause instanceof XpError) throw cause;
    throw new XpError('QUERY_FAILED', `cannot open the warehouse ${file}: ${cause instanceof Error ? cause.message : String(cause)}`, {
      location: { file },
      hint: options.readOnly ? 'run `xp build` first to create the warehouse' : 'check the warehouse path in the config and that the file is a DuckDB database',
      cause,
    });
  }
  const conn = await instance.connect();
  const db = new DuckDb(file, instance, conn);
  if (options.lockedSettings) {
    try {
      for (const [name, value] of options.lockedSettings) {
        if (!/^[a-z_]+$/.test(name)) throw new XpError('INTERNAL', `not a DuckDB setting name: ${JSON.stringify(name)}`);
        await db.run(`set ${name} = ${sqlLiteral(value)}`);
      }
      await db.run('set lock_configuration = true');
    } catch (err) {
      db.close();
      throw err;
    }
  }
  return db;
}
