/**
 * Reading loose result rows: the plugins own their tables' columns, so the memo reads a
 * field by name (first of a few accepted names) and treats anything else as absent.
 */
import type { Row } from '../engine/connection.ts';

function first(row: Row | undefined, keys: readonly string[]): unknown {
  if (!row) return undefined;
  for (const k of keys) if (row[k] !== undefined && row[k] !== null) return row[k];
  return undefined;
}

/** A finite number, or null (a DuckDB bigint beyond 2^53 arrives as a string). */
export function num(row: Row | undefined, ...keys: string[]): number | null {
  const v = first(row, keys);
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : typeof v === 'bigint' ? Number(v) : NaN;
  return Number.isFinite(n) ? n : null;
}

export function str(row: Row | undefined, ...keys: string[]): string | null {
  const v = first(row, keys);
  if (v === undefined) return null;
  return typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v);
}

export function bool(row: Row | undefined, ...keys: string[]): boolean | null {
  const v = first(row, keys);
  if (typeof v === 'boolean') return v;
  if (v === 'true' || v === 1) return true;
  if (v === 'false' || v === 0) return false;
  return null;
}

/** A json column: DuckDB returns it as text; a list of strings or an object. */
export function json(row: Row | undefined, ...keys: string[]): unknown {
  const v = first(row, keys);
  if (typeof v !== 'string') return v ?? null;
  try {
    return JSON.parse(v) as unknown;
  } catch {
    return v;
  }
}

/** Strings from a json list column (reasons), or a single text column. */
export function strings(row: Row | undefined, ...keys: string[]): string[] {
  const v = json(row, ...keys);
  if (Array.isArray(v)) return v.map((x) => (typeof x === 'string' ? x : JSON.stringify(x)));
  if (typeof v === 'string' && v) return [v];
  return [];
}
