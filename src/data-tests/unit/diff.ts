/**
 * Compare a model's output with the expected rows, as multisets (default) or in order,
 * numbers within a relative tolerance; print the rows with '=' (matched), '-' (expected,
 * missing) and '+' (produced, not expected), similar rows next to each other.
 */
import type { Row } from '../../engine/connection.ts';
import { cell, formatRows } from '../format-rows.ts';

export interface RowDiff {
  readonly matched: number;
  readonly missing: readonly Row[];
  readonly unexpected: readonly Row[];
  /** every row with its mark, in display order */
  readonly lines: readonly { readonly mark: '=' | '-' | '+'; readonly row: Row }[];
}

export function sameValue(a: unknown, b: unknown, tolerance: number): boolean {
  if (a === null || a === undefined) return b === null || b === undefined;
  if (b === null || b === undefined) return false;
  if (typeof a === 'number' && typeof b === 'number') {
    if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b);
    return a === b || Math.abs(a - b) <= tolerance * Math.max(1, Math.abs(a), Math.abs(b));
  }
  if (typeof a === 'object' || typeof b === 'object') return JSON.stringify(a) === JSON.stringify(b);
  return a === b;
}

function sameRow(a: Row, b: Row, columns: readonly string[], tolerance: number): boolean {
  return columns.every((c) => sameValue(a[c], b[c], tolerance));
}

export function diffRows(expected: readonly Row[], actual: readonly Row[], columns: readonly string[], opts: { ordered: boolean; tolerance: number }): RowDiff {
  const lines: { mark: '=' | '-' | '+'; row: Row }[] = [];
  if (opts.ordered) {
    for (let i = 0; i < Math.max(expected.length, actual.length); i++) {
      const e = expected[i];
      const a = actual[i];
      if (e && a && sameRow(e, a, columns, opts.tolerance)) lines.push({ mark: '=', row: a });
      else {
        if (e) lines.push({ mark: '-', row: e });
        if (a) lines.push({ mark: '+', row: a });
      }
    }
  } else {
    const used = new Set<number>();
    const missing: Row[] = [];
    const groups: { mark: '=' | '-' | '+'; row: Row }[][] = [];
    for (const e of expected) {
      const i = actual.findIndex((a, k) => !used.has(k) && sameRow(e, a, columns, opts.tolerance));
      if (i >= 0) {
        used.add(i);
        groups.push([{ mark: '=', row: actual[i]! }]);
      } else missing.push(e);
    }
    // pair each missing row with the unexpected row most like it, so a wrong value shows
    // as a '-' line directly above its '+' line
    const equalCells = (a: Row, b: Row): number => columns.filter((c) => sameValue(a[c], b[c], opts.tolerance)).length;
    for (const e of missing) {
      let best = -1;
      actual.forEach((a, k) => {
        if (!used.has(k) && (best < 0 || equalCells(e, a) > equalCells(e, actual[best]!))) best = k;
      });
      if (best >= 0 && equalCells(e, actual[best]!) > 0) {
        used.add(best);
        groups.push([{ mark: '-', row: e }, { mark: '+', row: actual[best]! }]);
      } else groups.push([{ mark: '-', row: e }]);
    }
    actual.forEach((a, k) => {
      if (!used.has(k)) groups.push([{ mark: '+', row: a }]);
    });
    const key = (r: Row): string => columns.map((c) => cell(r[c])).join('\u0000');
    groups.sort((x, y) => (key(x[0]!.row) < key(y[0]!.row) ? -1 : key(x[0]!.row) > key(y[0]!.row) ? 1 : 0));
    lines.push(...groups.flat());
  }
  return {
    matched: lines.filter((l) => l.mark === '=').length,
    missing: lines.filter((l) => l.mark === '-').map((l) => l.row),
    unexpected: lines.filter((l) => l.mark === '+').map((l) => l.row),
    lines,
  };
}

export function formatDiff(diff: RowDiff, columns: readonly string[], counts: { expected: number; actual: number }): string {
  const head = `expected ${counts.expected} row${counts.expected === 1 ? '' : 's'}, got ${counts.actual}: ${diff.missing.length} missing (-), ${diff.unexpected.length} unexpected (+)`;
  if (!columns.length) return head;
  const table = formatRows(diff.lines.map((l) => l.row), { columns, marks: diff.lines.map((l) => l.mark) });
  return `${head}\n${table}`;
}
