/**
 * Scheduling a portfolio, pure over the configs' windows. Two experiments conflict when
 * their windows overlap and
 *   - layer_capacity: they share a layer and the layer's open experiments take more than
 *     100% of its users on a day (each its `traffic`, default 100%);
 *   - same_primary: they are not mutually exclusive (not one layer) and have the same
 *     primary metric — each one's treatment moves the other's metric (metric pollution);
 *   - guardrail_is_primary: not exclusive, and a guardrail of one is the other's primary —
 *     the other is built to move what this one must not harm.
 * The earliest start of an experiment without a conflict, holding the others fixed, is
 * the first of its own start and the other windows' ends (only there can a conflict
 * disappear) at which it has none.
 */
import { trafficOf } from '../project/check-layers.ts';
import type { Experiment } from '../project/types.ts';
import { isoDay, sharedDays, windowOf, type DayWindow } from '../project/windows.ts';

export type ConflictKind = 'layer_capacity' | 'same_primary' | 'guardrail_is_primary';

export interface Conflict {
  readonly kind: ConflictKind;
  /** the experiment that starts later (the one to move), and the one it collides with */
  readonly experiment: string;
  readonly with: string;
  /** the shared days, [from, to) as YYYY-MM-DD */
  readonly from: string;
  readonly to: string;
  readonly detail: string;
}

export interface Proposal {
  readonly experiment: string;
  readonly configuredStart: string;
  /** the earliest start on or after `notBefore` without a conflict */
  readonly earliestStart: string;
  readonly delayDays: number;
}

export interface ScheduleReport {
  readonly conflicts: readonly Conflict[];
  readonly proposals: readonly Proposal[];
}

interface Placed {
  readonly e: Experiment;
  readonly w: DayWindow;
}

const exclusive = (a: Experiment, b: Experiment): boolean => a.layer !== undefined && a.layer === b.layer;
const pct = (x: number): string => `${+(x * 100).toFixed(2)}%`;

/** The metric conflicts of `x` against `y` (windows assumed overlapping). */
function metricConflicts(x: Experiment, y: Experiment): { kind: ConflictKind; detail: string }[] {
  if (exclusive(x, y)) return [];
  const out: { kind: ConflictKind; detail: string }[] = [];
  if (x.primary_metric === y.primary_metric) out.push({ kind: 'same_primary', detail: `both have primary metric ${x.primary_metric} and may share users: each treatment moves the other's primary` });
  if (x.guardrails.includes(y.primary_metric)) out.push({ kind: 'guardrail_is_primary', detail: `${y.primary_metric} is a guardrail of ${x.id} and the primary of ${y.id}` });
  if (y.guardrails.includes(x.primary_metric)) out.push({ kind: 'guardrail_is_primary', detail: `${x.primary_metric} is a guardrail of ${y.id} and the primary of ${x.id}` });
  return out;
}

/** Days in `w` on which the layer of `x` is over 100% with `x` placed at `w`, and who is open then. */
function capacityBreach(x: Experiment, w: DayWindow, others: readonly Placed[]): { day: number; open: Placed[]; total: number } | null {
  if (x.layer === undefined) return null;
  const layer = [{ e: x, w }, ...others.filter((o) => o.e.layer === x.layer)];
  // the layer's load only rises when a window opens: x's first day and each later opening inside x's window
  const openings = [w.start, ...layer.map((p) => p.w.start).filter((d) => d > w.start && d < w.end)].sort((a, b) => a - b);
  for (const day of openings) {
    const open = layer.filter((p) => p.w.start <= day && day < p.w.end);
    const total = open.reduce((s, p) => s + trafficOf(p.e), 0);
    if (total > 1 + 1e-6) return { day, open, total };
  }
  return null;
}

function conflictsAt(x: Experiment, w: DayWindow, others: readonly Placed[]): Conflict[] {
  const out: Conflict[] = [];
  for (const o of others) {
    if (sharedDays(w, o.w) === 0) continue;
    const from = isoDay(Math.max(w.start, o.w.start));
    const to = isoDay(Math.min(w.end, o.w.end));
    for (const c of metricConflicts(x, o.e)) out.push({ ...c, experiment: x.id, with: o.e.id, from, to });
  }
  const breach = capacityBreach(x, w, others);
  if (breach) {
    for (const o of breach.open.filter((p) => p.e.id !== x.id)) {
      out.push({
        kind: 'layer_capacity', experiment: x.id, with: o.e.id, from: isoDay(breach.day), to: isoDay(Math.min(w.end, o.w.end)),
        detail: `layer ${x.layer} is at ${pct(breach.total)} on ${isoDay(breach.day)} (${breach.open.map((p) => `${p.e.id} ${pct(trafficOf(p.e))}`).join(' + ')})`,
      });
    }
  }
  return out;
}

/** Every conflict of the portfolio, each reported once on the later-starting experiment. */
export function portfolioConflicts(experiments: readonly Experiment[]): Conflict[] {
  const placed = experiments.map((e) => ({ e, w: windowOf(e) })).sort((a, b) => a.w.start - b.w.start || a.e.id.localeCompare(b.e.id));
  return placed.flatMap((p, i) => conflictsAt(p.e, p.w, placed.slice(0, i)));
}

/** The earliest start (day number) at or after `notBefore` at which `x` has no conflict with `others`. */
export function earliestStart(x: Experiment, others: readonly Experiment[], notBefore: number): number {
  const placed = others.filter((o) => o.id !== x.id).map((e) => ({ e, w: windowOf(e) }));
  const candidates = [notBefore, ...placed.map((p) => p.w.end).filter((d) => d > notBefore)].sort((a, b) => a - b);
  for (const start of candidates) {
    if (!conflictsAt(x, { start, end: start + x.days }, placed).length) return start;
  }
  // after every other window has ended nothing can conflict; candidates hold that day
  return candidates.at(-1)!;
}

/**
 * Conflicts, and a proposal for each experiment that must move (the later of each
 * conflicting pair, or those selected), starting no earlier than its configured start.
 */
export function planSchedule(experiments: readonly Experiment[], movable?: ReadonlySet<string>): ScheduleReport {
  const conflicts = portfolioConflicts(experiments);
  const toMove = movable ?? new Set(conflicts.map((c) => c.experiment));
  const proposals = experiments.filter((e) => toMove.has(e.id)).sort((a, b) => a.id.localeCompare(b.id)).map((e): Proposal => {
    const configured = windowOf(e).start;
    const start = earliestStart(e, experiments, configured);
    return { experiment: e.id, configuredStart: e.start, earliestStart: isoDay(start), delayDays: start - configured };
  });
  return { conflicts, proposals };
}
