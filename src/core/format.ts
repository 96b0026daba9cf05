/** Small formatting helpers for terminal output. */
export const fmtInt = (n: number): string => n.toLocaleString('en-US');
export const fmtSeconds = (s: number): string => (s < 10 ? s.toFixed(2) : s.toFixed(1)) + 's';

/** Plain text table with aligned columns. */
export function textTable(headers: readonly string[], rows: readonly (readonly unknown[])[]): string {
  const cells = [headers.map(String), ...rows.map((r) => r.map((c) => (c === null || c === undefined ? 'NULL' : String(c))))];
  const widths = headers.map((_, i) => Math.min(60, Math.max(...cells.map((r) => (r[i] ?? '').length))));
  const line = (r: readonly string[]): string => r.map((c, i) => (c.length > 60 ? c.slice(0, 59) + '…' : c).padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(cells[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join('\n');
}
