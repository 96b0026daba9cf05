/**
 * A metric's baseline for the design check, from the experiment's built sufficient
 * statistics (exp.metric_aggregates_overall): the mean (a rate for binomial metrics) and
 * per-user standard deviation, and the pre/post correlation that CUPED's variance reduction
 * (1 − ρ²) rests on. The pre-period of every arm comes first when the experiment has one
 * (before exposure, so no treatment effect is in it); else the control's post values.
 */
import type { MetricType, OverallAggregate } from '../analyses/model-rows.ts';
import { sampleCovariance, sampleVariance } from '../stats/moments.ts';
import { notEstimable, type NotEstimable } from '../stats/types.ts';

export type BaselineSource = 'pre-period' | 'control';

export interface Baseline {
  readonly status: 'ok';
  readonly metric: string;
  readonly type: MetricType;
  /** the rate (binomial), the mean (mean) or the ratio of sums (ratio) */
  readonly mean: number;
  /** per-user standard deviation: sqrt(p(1 − p)), the sample sd, or the ratio's linearised sd */
  readonly sd: number;
  /** users the baseline comes from */
  readonly n: number;
  readonly source: BaselineSource;
  /** correlation of the post value with the pre-period value over every arm; null when not estimable */
  readonly correlation: number | null;
}

export type BaselineResult = Baseline | NotEstimable;

interface Sums {
  readonly n: number;
  readonly sum: number;
  readonly sumSquares: number;
}

const add = (rows: readonly OverallAggregate[], pick: (r: OverallAggregate) => number): number => rows.reduce((s, r) => s + pick(r), 0);

/** Mean and sd of a binomial or mean metric; binomial metrics use p(1 − p) as every test does. */
function moments(type: 'binomial' | 'mean', s: Sums, label: string): { mean: number; sd: number } | null {
  if (s.n < 2) return null;
  const mean = s.sum / s.n;
  const variance = type === 'binomial' ? mean * (1 - mean) : sampleVariance(s.n, s.sum, s.sumSquares, label);
  if (type === 'binomial' && !(mean > 0 && mean < 1)) return null;
  return variance > 0 && mean !== 0 ? { mean, sd: Math.sqrt(variance) } : null;
}

/**
 * Ratio metric R = ΣN / ΣD by the delta method (Deng, Knoblich & Lu 2018, "Applying the
 * delta method in metric analytics", eq. 3): per-user linearised variance
 *   σ² = (var N − 2 R cov(N, D) + R² var D) / D̄².
 */
function ratioMoments(r: OverallAggregate): { mean: number; sd: number } | null {
  const { n } = r;
  const d = r.denominator_sum ?? 0;
  if (n < 2 || d === 0) return null;
  const ratio = r.sum / d;
  const varN = sampleVariance(n, r.sum, r.sum_squares, 'ratio numerator');
  const varD = sampleVariance(n, d, r.denominator_sum_squares ?? 0, 'ratio denominator');
  const cov = sampleCovariance(n, r.sum, d, r.numerator_denominator_sum ?? 0, Math.sqrt(Math.abs(r.sum_squares * (r.denominator_sum_squares ?? 0))));
  const variance = Math.max(0, varN - 2 * ratio * cov + ratio * ratio * varD) / (d / n) ** 2;
  return variance > 0 && ratio !== 0 ? { mean: ratio, sd: Math.sqrt(variance) } : null;
}

/** Pearson correlation of y (post) and x (pre) over the pooled users of every arm, as CUPED pools its θ. */
export function preCorrelation(rows: readonly OverallAggregate[]): number | null {
  const n = add(rows, (r) => r.n);
  if (n < 2) return null;
  const sy = add(rows, (r) => r.sum);
  const sx = add(rows, (r) => r.pre_sum);
  const syy = add(rows, (r) => r.sum_squares);
  const sxx = add(rows, (r) => r.pre_sum_squares);
  const varY = sampleVariance(n, sy, syy, 'post value');
  const varX = sampleVariance(n, sx, sxx, 'pre-period value');
  if (!(varY > 0 && varX > 0)) return null;
  const cov = sampleCovariance(n, sy, sx, add(rows, (r) => r.sum_pre_product), Math.sqrt(Math.abs(syy * sxx)));
  return Math.max(-1, Math.min(1, cov / Math.sqrt(varY * varX)));
}

/**
 * The baseline of `metric`: its pre-period over every arm when `prePeriodDays > 0` and that
 * has a usable mean and variance (not for ratio metrics, which have no pre-period
 * denominator), else the control's post values. Not estimable: INSUFFICIENT_DATA (no rows,
 * fewer than 2 users, or a degenerate rate, mean or variance in both).
 */
export function baselineOf(
  all: readonly OverallAggregate[],
  metric: string,
  type: MetricType,
  design: { readonly control: string; readonly prePeriodDays: number },
): BaselineResult {
  if (type === 'quantile') return notEstimable('INSUFFICIENT_DATA', `${metric}: a quantile metric has no mean and variance to take as a baseline`);
  const rows = all.filter((r) => r.metric === metric);
  const control = rows.find((r) => r.variant === design.control);
  const correlation = type === 'ratio' ? null : preCorrelation(rows);
  if (type !== 'ratio' && design.prePeriodDays > 0) {
    const pre: Sums = { n: add(rows, (r) => r.n), sum: add(rows, (r) => r.pre_sum), sumSquares: add(rows, (r) => r.pre_sum_squares) };
    const m = moments(type, pre, `${metric} pre-period`);
    if (m) return { status: 'ok', metric, type, ...m, n: pre.n, source: 'pre-period', correlation };
  }
  const m = !control ? null
    : type === 'ratio' ? ratioMoments(control)
    : moments(type, { n: control.n, sum: control.sum, sumSquares: control.sum_squares }, `${metric} control`);
  if (!m || !control) {
    return notEstimable('INSUFFICIENT_DATA', `${metric}: the built aggregates give no usable baseline (${rows.length ? `${control?.n ?? 0} control users` : 'no rows'})`);
  }
  return { status: 'ok', metric, type, ...m, n: control.n, source: 'control', correlation };
}
