/** Query results as a table, CSV or JSON. */
import type { Row } from '../../engine/connection.ts';
import { textTable } from '../../core/format.ts';

export type RowFormat = 'table' | 'csv' | 'json';

/** What `xp query` returns, on the warehouse or the lake. */
export interface QueryResult {
  readonly columns: readonly string[];
  readonly rows: readonly Row[];
}

function csvCell(v: unknown): string {
  if (v === null || v === undefined) return '';
  const s = typeof v === 'object' ? JSON.stringify(v) : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

export function formatRows(columns: readonly string[], rows: readonly Row[], format: RowFormat): string {
  if (format === 'json') return JSON.stringify(rows, null, 2);
  if (format === 'csv') return [columns.map(csvCell).join(','), ...rows.map((r) => columns.map((c) => csvCell(r[c])).join(','))].join('\n');
  const cell = (v: unknown): unknown => (v !== null && typeof v === 'object' ? JSON.stringify(v) : v);
  return `${textTable(columns, rows.map((r) => columns.map((c) => cell(r[c]))))}\n(${rows.length} row${rows.length === 1 ? '' : 's'})`;
}
