/**
 * Read a result table back as its contract's rows: the inverse of analyse/write-results.ts.
 * One experiment partition, every column of the spec decoded to its declared type
 * (numbers, booleans, parsed json, ISO date strings); a column the stored table does not
 * have (written before the column was added) reads as null, a missing table as no rows.
 */
import type { ColumnType, TableSpec } from '../analyse/plugin.ts';
import type { Db, Row } from '../engine/connection.ts';
import { MODEL_SCHEMA, tableExists } from '../engine/platform-store.ts';
import { relation } from '../engine/sql.ts';
import type { RowOf } from './tables.ts';

/** A finite number, or null (a DuckDB bigint beyond 2^53 arrives as a string). */
function toNumber(v: unknown): number | null {
  const n = typeof v === 'number' ? v
    : typeof v === 'string' && v.trim() !== '' ? Number(v)
    : typeof v === 'bigint' ? Number(v)
    : NaN;
  return Number.isFinite(n) ? n : null;
}

function toBoolean(v: unknown): boolean | null {
  if (typeof v === 'boolean') return v;
  if (v === 'true' || v === 1) return true;
  if (v === 'false' || v === 0) return false;
  return null;
}

/** DuckDB hands json columns over as text; text that is not JSON stays text. */
function toJson(v: unknown): unknown {
  if (typeof v !== 'string') return v ?? null;
  try {
    return JSON.parse(v) as unknown;
  } catch {
    return v;
  }
}

function toText(v: unknown, type: ColumnType): string | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') return v;
  if (v instanceof Date) {
    const iso = v.toISOString();
    return type === 'date' ? iso.slice(0, 10) : iso;
  }
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}

/** One stored value as the column type says. */
export function decodeValue(type: ColumnType, v: unknown): unknown {
  switch (type) {
    case 'double':
    case 'bigint':
    case 'integer':
      return toNumber(v);
    case 'boolean':
      return toBoolean(v);
    case 'json':
      return toJson(v);
    case 'varchar':
    case 'date':
    case 'timestamp':
      return toText(v, type);
  }
}

/** A stored row as the spec's row: every column of the spec present (null when absent), no others. */
export function decodeRow<S extends TableSpec>(spec: S, raw: Row): RowOf<S> {
  return Object.fromEntries(Object.entries(spec).map(([column, type]) => [column, decodeValue(type, raw[column])])) as RowOf<S>;
}

/**
 * The partition's rows of `table` in a total order (every column), or [] when the table
 * does not exist. `tables`: the tables of schema exp, when the caller read them once for
 * several reads (else each read asks).
 */
export async function readResults<S extends TableSpec>(db: Db, table: string, spec: S, experimentId: string, tables?: ReadonlySet<string>): Promise<RowOf<S>[]> {
  if (!(tables ? tables.has(table) : await tableExists(db, MODEL_SCHEMA, table))) return [];
  const rows = await db.all(`select * exclude (experiment_id) from ${relation(MODEL_SCHEMA, table)} where experiment_id = $1 order by all`, [experimentId]);
  return rows.map((r) => decodeRow(spec, r));
}
