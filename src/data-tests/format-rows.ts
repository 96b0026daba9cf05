/** Rows as an aligned plain-text table, for failing rows and unit-test diffs. */
import type { Row } from '../engine/connection.ts';

const MAX_CELL = 40;

export function cell(v: unknown): string {
  if (v === null || v === undefined) return 'NULL';
  const s = typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v);
  return s.length > MAX_CELL ? s.slice(0, MAX_CELL - 1) + '…' : s;
}

/**
 * `marks` (optional) prefixes each row: '=' same, '-' expected only, '+' actual only.
 * Columns default to the union of the rows' keys, in first-seen order.
 */
export function formatRows(rows: readonly Row[], opts: { columns?: readonly string[]; marks?: readonly string[] } = {}): string {
  const columns = opts.columns ?? [...new Set(rows.flatMap((r) => Object.keys(r)))];
  if (!columns.length) return `(${rows.length} row${rows.length === 1 ? '' : 's'}, no columns)`;
  const body = rows.map((r) => columns.map((c) => cell(r[c])));
  const widths = columns.map((c, i) => Math.max(c.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: readonly string[], mark: string): string =>
    `${opts.marks ? `${mark} ` : ''}${cells.map((c, i) => c.padEnd(widths[i]!)).join('  ')}`.trimEnd();
  return [line(columns, ' '), ...body.map((b, i) => line(b, opts.marks?.[i] ?? ' '))].join('\n');
}
