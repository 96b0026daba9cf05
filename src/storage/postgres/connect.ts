/**
 * The one door to `pg` for the warehouse raw store (loaded lazily by open-store.ts, so a
 * file:// or s3:// build never imports it). Every value comes back as PostgreSQL's own text
 * (no JavaScript parsing of numbers or dates): the extraction writes it to CSV as is, and
 * DuckDB parses it with the column's declared type.
 */
import pg from 'pg';
import { XpError } from '../../core/errors.ts';

export interface SourceField {
  readonly name: string;
  /** PostgreSQL type OID */
  readonly typeId: number;
}

export interface SourceConnection {
  query(sql: string, params?: readonly unknown[]): Promise<{ rows: Record<string, string | null>[]; fields: SourceField[] }>;
  /** rows as arrays of text, for the cursor's batches */
  queryArrays(sql: string): Promise<(string | null)[][]>;
  /** false on Redshift, which has no COPY … TO STDOUT (the cursor is used there) */
  readonly copyOut: boolean;
  /** run `COPY (…) TO STDOUT`, handing each chunk the server sends to `onChunk` (synchronously: a blocking write is the backpressure) */
  copyTo(sql: string, onChunk: (chunk: Buffer) => void): Promise<void>;
  end(): Promise<void>;
}

/** `postgres://user@host:port/db`, without the password, for messages. */
export function sourceLabel(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.username ? `${decodeURIComponent(u.username)}@` : ''}${u.host}${u.pathname}`;
  } catch {
    return 'the configured PostgreSQL URL';
  }
}

const asText = { getTypeParser: () => (value: string) => value };

interface PgError { code?: string; message?: string; errors?: PgError[] }

const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT', 'EAI_AGAIN', 'ECONNRESET']);
/** invalid_authorization_specification, invalid_password */
const AUTH = new Set(['28000', '28P01']);

/** Connection-level failures as XpErrors naming the server (without its password) and what to check. */
export function connectError(err: unknown, label: string, urlEnv: string): XpError {
  const e = err as PgError;
  const code = e.code ?? e.errors?.[0]?.code;
  if (code && UNREACHABLE.has(code)) {
    return new XpError('STORAGE_UNAVAILABLE', `cannot reach the raw source ${label}: ${code}`, {
      hint: `check that the server runs and that ${urlEnv} names its host and port; nothing was built, the previous partitions are intact`,
    });
  }
  if (code && AUTH.has(code)) {
    return new XpError('STORAGE_AUTH', `the raw source ${label} refused the credentials: ${e.message}`, {
      hint: `set the user and password in ${urlEnv} (postgres://user:password@host:port/database); nothing was built`,
    });
  }
  if (code === '3D000') {
    return new XpError('STORAGE_NOT_FOUND', `the raw source ${label}: ${e.message}`, { hint: `name an existing database in ${urlEnv}` });
  }
  return new XpError('STORAGE_UNAVAILABLE', `the raw source ${label} failed: ${e.message ?? String(err)}`, {
    hint: `check the server and ${urlEnv}; nothing was built, the previous partitions are intact`,
  });
}

/**
 * `COPY … TO STDOUT` as a pg Submittable (the interface pg-cursor and pg-query-stream use):
 * each CopyData chunk goes to `onChunk`. pg calls handleError and then handleReadyForQuery on
 * failure, so the promise settles on the latter.
 */
class CopyOut {
  private error: Error | undefined;
  constructor(readonly text: string, private readonly onChunk: (chunk: Buffer) => void, private readonly settle: (err?: Error) => void) {}
  submit(connection: { query(text: string): void }): void {
    connection.query(this.text);
  }
  handleCopyData(msg: { chunk: Buffer }): void {
    if (this.error) return;
    try {
      this.onChunk(msg.chunk);
    } catch (err) {
      this.error = err as Error; // e.g. a full disk: reported once the server is done
    }
  }
  handleError(err: Error): void {
    this.error = err;
  }
  handleReadyForQuery(): void {
    this.settle(this.error);
  }
  handleCommandComplete(): void {}
  handleRowDescription(): void {}
  handleDataRow(): void {}
  handleEmptyQuery(): void {}
  handleCopyInResponse(connection: { sendCopyFail(msg: string): void }): void {
    connection.sendCopyFail('xp reads only');
  }
}

export async function connectSource(url: string, urlEnv: string): Promise<SourceConnection> {
  const label = sourceLabel(url);
  const client = new pg.Client({ connectionString: url, types: asText, connectionTimeoutMillis: 15_000 });
  client.on('error', () => undefined); // a dropped connection surfaces on the next query
  let redshift = false;
  try {
    await client.connect();
    // UTC, so timestamptz text is the same whatever the server's zone; shortest exact floats
    await client.query("set timezone to 'UTC'");
    await client.query('set extra_float_digits to 3');
    redshift = /redshift/i.test(String((await client.query('select version() as v')).rows[0]?.v ?? ''));
  } catch (err) {
    await client.end().catch(() => undefined);
    throw connectError(err, label, urlEnv);
  }
  return {
    async query(sql, params) {
      const r = await client.query({ text: sql, values: params ? [...params] : undefined });
      return { rows: r.rows as Record<string, string | null>[], fields: r.fields.map((f) => ({ name: f.name, typeId: f.dataTypeID })) };
    },
    async queryArrays(sql) {
      const r = await client.query({ text: sql, rowMode: 'array' });
      return r.rows as (string | null)[][];
    },
    copyOut: !redshift,
    copyTo: (sql, onChunk) => new Promise<void>((resolve, reject) => {
      void client.query(new CopyOut(sql, onChunk, (err) => (err ? reject(err) : resolve())) as unknown as pg.QueryConfig);
    }),
    end: () => client.end(),
  };
}
