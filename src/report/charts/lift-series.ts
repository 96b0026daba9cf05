/**
 * Daily series the report draws, computed from the cumulative sufficient statistics of
 * exp.metric_aggregates_daily with the statistics module: each day's data is what a look
 * taken that day would have seen. Pure.
 */
import { proportionTest, ratioTest, welchTest } from '../../stats/index.ts';
import type { Difference } from '../../stats/index.ts';
import type { DailyAggregate } from '../inputs.ts';

export interface LiftPoint {
  readonly metric: string;
  readonly variant: string;
  readonly day: string | null;
  readonly dayIndex: number;
  readonly estimate: number;
  readonly lower: number;
  readonly upper: number;
  /** the test statistic of the absolute difference (for the z path) */
  readonly z: number;
  /** the smaller arm's users so far */
  readonly n: number;
}

/** One arm's cumulative statistics on a post day, keyed by variant. */
function cumulative(rows: readonly DailyAggregate[], metric: string): Map<number, Map<string, DailyAggregate>> {
  const byDay = new Map<number, Map<string, DailyAggregate>>();
  for (const r of rows) {
    if (r.metric !== metric || r.period !== 'post' || r.n_cum === null) continue;
    const day = byDay.get(r.day_index) ?? new Map<string, DailyAggregate>();
    day.set(r.variant, r);
    byDay.set(r.day_index, day);
  }
  return byDay;
}

/** The test of treatment vs control that fits the metric's type, on cumulative sums. */
export function cumulativeTest(control: DailyAggregate, treatment: DailyAggregate, difference: Difference, alpha: number) {
  const type = control.metric_type;
  if (type === 'binomial') {
    // counts of 0/1 values: whole numbers, whatever the last bits of a double sum say
    return proportionTest(
      { n: Math.round(control.n_cum ?? 0), successes: Math.round(control.sum_cum ?? 0) },
      { n: Math.round(treatment.n_cum ?? 0), successes: Math.round(treatment.sum_cum ?? 0) },
      { alpha, difference, ci: 'wald' },
    );
  }
  if (type === 'ratio') {
    const ratio = (r: DailyAggregate) => ({
      n: r.n_cum ?? 0,
      numeratorSum: r.sum_cum ?? 0,
      numeratorSumSquares: r.sum_squares_cum ?? 0,
      denominatorSum: r.denominator_sum_cum ?? 0,
      denominatorSumSquares: r.denominator_sum_squares_cum ?? 0,
      numeratorDenominatorSum: r.numerator_denominator_sum_cum ?? 0,
    });
    return ratioTest(ratio(control), ratio(treatment), { alpha, difference });
  }
  const mean = (r: DailyAggregate) => ({ n: r.n_cum ?? 0, sum: r.sum_cum ?? 0, sumSquares: r.sum_squares_cum ?? 0 });
  return welchTest(mean(control), mean(treatment), { alpha, difference });
}

/**
 * Cumulative relative lift (treatment / control - 1) with its 1 - alpha interval per post
 * day and treatment. Days where the lift is not estimable (an empty arm, a zero baseline)
 * are left out: the chart shows a gap rather than a made-up number.
 */
export function cumulativeLift(
  rows: readonly DailyAggregate[],
  metric: string,
  control: string,
  treatments: readonly string[],
  alpha: number,
): LiftPoint[] {
  const out: LiftPoint[] = [];
  const byDay = cumulative(rows, metric);
  for (const dayIndex of [...byDay.keys()].sort((a, b) => a - b)) {
    const day = byDay.get(dayIndex)!;
    const c = day.get(control);
    if (!c) continue;
    for (const variant of treatments) {
      const t = day.get(variant);
      if (!t) continue;
      const rel = cumulativeTest(c, t, 'relative', alpha);
      const abs = cumulativeTest(c, t, 'absolute', alpha);
      if (rel.status !== 'ok' || abs.status !== 'ok') continue;
      const [lower, upper] = rel.ci;
      if (lower === null || upper === null) continue;
      out.push({
        metric, variant, day: c.day, dayIndex, estimate: rel.estimate, lower, upper,
        z: abs.statistic, n: Math.min(c.n_cum ?? 0, t.n_cum ?? 0),
      });
    }
  }
  return out;
}

export interface DeltaPoint {
  readonly day: string | null;
  readonly dayIndex: number;
  readonly period: 'pre' | 'post';
  readonly delta: number;
  readonly lower: number;
  readonly upper: number;
}

/**
 * The day's treatment − control difference of the per-user daily mean (the picture behind
 * difference-in-differences and its pre-trend check): pre days over every user of the
 * arm, post days over the users exposed by then; normal interval from the two arms'
 * daily variances. Days with fewer than two users in an arm are left out.
 */
export function dailyDelta(
  rows: readonly DailyAggregate[],
  metric: string,
  control: string,
  treatment: string,
  z: number,
): DeltaPoint[] {
  const byDay = new Map<number, { c?: DailyAggregate; t?: DailyAggregate }>();
  for (const r of rows) {
    if (r.metric !== metric || (r.variant !== control && r.variant !== treatment)) continue;
    const e = byDay.get(r.day_index) ?? {};
    if (r.variant === control) e.c = r;
    else e.t = r;
    byDay.set(r.day_index, e);
  }
  const moments = (r: DailyAggregate) => {
    const mean = r.sum_daily / r.n_daily;
    const variance = Math.max(0, (r.sum_squares_daily - r.n_daily * mean * mean) / (r.n_daily - 1));
    return { mean, v: variance / r.n_daily };
  };
  const out: DeltaPoint[] = [];
  for (const dayIndex of [...byDay.keys()].sort((a, b) => a - b)) {
    const { c, t } = byDay.get(dayIndex)!;
    if (!c || !t || c.n_daily < 2 || t.n_daily < 2) continue;
    const mc = moments(c);
    const mt = moments(t);
    const delta = mt.mean - mc.mean;
    const half = z * Math.sqrt(mc.v + mt.v);
    out.push({ day: c.day, dayIndex, period: c.period, delta, lower: delta - half, upper: delta + half });
  }
  return out;
}
