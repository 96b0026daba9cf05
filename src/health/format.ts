/** `xp health` on a terminal: one line per experiment, then each experiment's checks in full. */
import { textTable } from '../core/format.ts';
import type { HealthReport } from './types.ts';

const MARK = { ok: 'ok', warn: 'WARN', critical: 'CRITICAL', unknown: '?' } as const;

/** Aligned columns; the last column is never cut (details say what to do). */
function columns(rows: readonly (readonly string[])[]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd());
}

export function formatHealth(r: HealthReport): string {
  const out: string[] = [`health as of ${r.asOf}`];
  if (r.experiments.length) {
    out.push(textTable(['experiment', 'status', 'score', 'lifecycle', 'flags'], r.experiments.map((e) => [
      e.experimentId, MARK[e.status], String(e.score), e.lifecycle,
      e.checks.filter((c) => c.status !== 'ok').map((c) => `${c.check}:${MARK[c.status]}`).join(' ') || '-',
    ])));
  }
  for (const e of r.experiments) {
    out.push('', `${e.experimentId}${e.name ? ` · ${e.name}` : ''}: ${MARK[e.status]}, score ${e.score}/100`);
    const rows = [['status', 'check', 'value', 'points', 'detail'], ...e.checks.map((c) => [MARK[c.status], c.check, c.value, c.deduction ? `-${c.deduction}` : '', c.detail])];
    out.push(...columns(rows).map((l) => `  ${l}`));
  }
  if (r.note) out.push('', `note: ${r.note}`);
  if (r.critical) out.push('', 'critical: at least one experiment needs attention (exit code 1)');
  return out.join('\n');
}
