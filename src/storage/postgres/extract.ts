/**
 * Stream one partition's rows out of PostgreSQL into a local Parquet file: a cursor over the
 * partition query, fetched in batches and written as CSV to a temp file, then converted by
 * DuckDB reading every column with the type its PostgreSQL type maps to (types-map.ts).
 * The caller runs this inside a repeatable-read transaction whose snapshot it has verified.
 */
import { createWriteStream } from 'node:fs';
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

/** CSV → Parquet with the declared column types. */
async function csvToParquet(csvFile: string, fields: readonly SourceField[], parquetFile: string): Promise<void> {
  const columns = `{${fields.map((f) => `${sqlLiteral(f.name)}: ${sqlLiteral(duckdbTypeOf(f.typeId))}`).join(', ')}}`;
  const db = await openDb(':memory:');
  try {
    await db.run(`copy (select * from read_csv(${sqlLiteral(csvFile)}, header = false, delim = ',', quote = '"', escape = '"', allow_quoted_nulls = false, auto_detect = false, columns = ${columns})) to ${sqlLiteral(parquetFile)} (format parquet)`);
  } finally {
    db.close();
  }
}

export async function extractToParquet(conn: SourceConnection, cursorSql: string, fields: readonly SourceField[], parquetFile: string, opts: ExtractOptions): Promise<number> {
  const csv = `${parquetFile}.csv`;
  try {
    const rows = await cursorToCsv(conn, cursorSql, csv, opts);
    await csvToParquet(csv, fields, parquetFile);
    return rows;
  } finally {
    await rm(csv, { force: true });
  }
}
