/** `xp schedule` on a terminal: the conflicts, then the earliest start proposed for each experiment that must move. */
import { textTable } from '../core/format.ts';
import type { ScheduleReport } from './schedule.ts';

export function formatSchedule(r: ScheduleReport): string {
  const out: string[] = [];
  if (!r.conflicts.length) out.push('no conflicts: no layer over 100%, no shared primary metric, no guardrail that is another experiment\'s primary on overlapping windows');
  else {
    out.push(`${r.conflicts.length} conflict(s):`);
    out.push(textTable(['experiment', 'with', 'kind', 'from', 'to'], r.conflicts.map((c) => [c.experiment, c.with, c.kind, c.from, c.to])));
    out.push(...r.conflicts.map((c) => `  - ${c.experiment} × ${c.with}: ${c.detail}`));
  }
  if (r.proposals.length) {
    out.push('', 'earliest start without a conflict (the others as configured):');
    out.push(textTable(['experiment', 'configured start', 'earliest start', 'delay'], r.proposals.map((p) => [p.experiment, p.configuredStart, p.earliestStart, p.delayDays ? `${p.delayDays} days` : 'none'])));
  }
  return out.join('\n');
}
