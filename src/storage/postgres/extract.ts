/**
 * Stream one partition's rows out of PostgreSQL into a local Parquet file: `COPY (query) TO
 * STDOUT` as CSV (or, on Redshift, which has no COPY TO STDOUT, a cursor fetched in batches
 * and written as the same CSV) into a temp file, then converted by
 * DuckDB reading every column with the type its PostgreSQL type maps to (types-map.ts).
 * The caller runs this inside a repeatable-read transaction whose snapshot it has verified.
 */
import { closeSync, createWriteStream, openSync, writeSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { once } from 'node:events';
import { openDb } from '../../engine/connection.ts';
import { sqlLiteral } from '../../engine/sql.ts';
import type { SourceConnection, SourceField } from './connect.ts';
import { duckdbTypeOf } from './types-map.ts';

/** A CSV field: NULL is empty and unquoted, every value is quoted (so '' stays an empty string). */
const csvField = (v: string | null): string => (v === null ? '' : `"${v.replaceAll('"', '""')}"`);

export interface ExtractOptions {
  readonly batchRows: number;
  /** `copy`: COPY … TO STDOUT (CSV), the fast path; `cursor`: batches of a server-side cursor (Redshift); default: copy where the server has it */
  readonly method?: 'copy' | 'cursor';
  /** rows written so far */
  readonly onRows?: (rows: number) => void;
}

/** Write the rows of `cursorSql` (a SELECT) to `csvFile`; returns the row count. */
async function cursorToCsv(conn: SourceConnection, cursorSql: string, csvFile: string, opts: ExtractOptions): Promise<number> {
  const out = createWriteStream(csvFile);
  const closed = once(out, 'close');
  let rows = 0;
  try {
    await conn.query(`declare xp_extract no scroll cursor for ${cursorSql}`);
    for (;;) {
      const batch = await conn.queryArrays(`fetch forward ${opts.batchRows} from xp_extract`);
      if (batch.length === 0) break;
      const text = batch.map((r) => r.map(csvField).join(',')).join('\n') + '\n';
      if (!out.write(text)) await once(out, 'drain');
      rows += batch.length;
      opts.onRows?.(rows);
    }
    await conn.query('close xp_extract');
  } finally {
    out.end();
    await closed;
  }
  return rows;
}

/** CSV → Parquet with the declared column types; returns the rows written. */
async function csvToParquet(csvFile: string, fields: readonly SourceField[], parquetFile: string): Promise<number> {
  const columns = `{${fields.map((f) => `${sqlLiteral(f.name)}: ${sqlLiteral(duckdbTypeOf(f.typeId))}`).join(', ')}}`;
  const db = await openDb(':memory:');
  try {
    return await db.run(`copy (select * from read_csv(${sqlLiteral(csvFile)}, header = false, delim = ',', quote = '"', escape = '"', allow_quoted_nulls = false, auto_detect = false, columns = ${columns})) to ${sqlLiteral(parquetFile)} (format parquet)`);
  } finally {
    db.close();
  }
}

/** Write the rows of `selectSql` with COPY: PostgreSQL's own CSV (NULL unquoted-empty, '' quoted), as cursorToCsv writes it. */
async function copyToCsv(conn: SourceConnection, selectSql: string, csvFile: string): Promise<void> {
  // PostgreSQL sends a chunk per row, in pg's reused read buffer: copy them into 1 MiB and
  // write that synchronously, so a slow disk stalls the socket (TCP backpressure) instead
  // of filling memory
  const fd = openSync(csvFile, 'w');
  const buf = Buffer.allocUnsafe(1 << 20);
  let size = 0;
  const flush = (): void => {
    if (size > 0) writeSync(fd, buf, 0, size);
    size = 0;
  };
  try {
    await conn.copyTo(`copy (${selectSql}) to stdout with (format csv)`, (chunk) => {
      if (size + chunk.length > buf.length) flush();
      if (chunk.length > buf.length) writeSync(fd, chunk);
      else size += chunk.copy(buf, size);
    });
    flush();
  } finally {
    closeSync(fd);
  }
}

/** Extract the rows of `selectSql` into `parquetFile`; returns the row count. */
export async function extractToParquet(conn: SourceConnection, selectSql: string, fields: readonly SourceField[], parquetFile: string, opts: ExtractOptions): Promise<number> {
  const csv = `${parquetFile}.csv`;
  try {
    const method = opts.method ?? (conn.copyOut ? 'copy' : 'cursor');
    let rows: number;
    if (method === 'copy') {
      await copyToCsv(conn, selectSql, csv);
      rows = await csvToParquet(csv, fields, parquetFile);
      opts.onRows?.(rows);
      return rows;
    }
    rows = await cursorToCsv(conn, selectSql, csv, opts);
    await csvToParquet(csv, fields, parquetFile);
    return rows;
  } finally {
    await rm(csv, { force: true });
  }
}
