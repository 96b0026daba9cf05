/**
 * The rows of analysis_results_cuped (pure): CUPED-adjusted lift beside the raw lift when
 * the experiment has pre-period data that correlates with the metric, else a
 * not-eligible row that says why.
 */
import { cupedTest, isNotEstimable, ratioCupedTest, type CupedTestResult, type Interval, type NotEstimable } from '../../stats/index.ts';
import type { Experiment } from '../../project/types.ts';
import { cupedStats, key, ratioCupedStats, type OverallAggregate } from './aggregates.ts';
import { CUPED_MIN_CORRELATION, type MetricPlan } from './settings.ts';
import type { CupedRow } from '../tables.ts';

export interface CupedInput {
  readonly experiment: Pick<Experiment, 'control' | 'treatments' | 'alpha' | 'pre_period_days'>;
  readonly plans: readonly MetricPlan[];
  readonly aggregates: readonly OverallAggregate[];
}

/**
 * Pooled sample correlation of the metric y and its pre-period value x over both arms:
 * r = S_xy / sqrt(S_xx S_yy) with S_ab = sum a b - (sum a)(sum b)/n. null when either
 * has no variance.
 */
export function pooledCorrelation(rows: readonly OverallAggregate[]): number | null {
  const n = rows.reduce((s, r) => s + r.n, 0);
  if (n < 2) return null;
  const sy = rows.reduce((s, r) => s + r.sum, 0);
  const sx = rows.reduce((s, r) => s + r.pre_sum, 0);
  const syy = rows.reduce((s, r) => s + r.sum_squares, 0) - (sy * sy) / n;
  const sxx = rows.reduce((s, r) => s + r.pre_sum_squares, 0) - (sx * sx) / n;
  const sxy = rows.reduce((s, r) => s + r.sum_pre_product, 0) - (sx * sy) / n;
  // relative tolerance: a sum of squares that cancels to rounding noise is zero
  const tiny = (v: number, scale: number): boolean => v <= 1e-12 * Math.max(1, Math.abs(scale));
  if (tiny(sxx, rows.reduce((s, r) => s + r.pre_sum_squares, 0)) || tiny(syy, rows.reduce((s, r) => s + r.sum_squares, 0))) return null;
  return Math.max(-1, Math.min(1, sxy / Math.sqrt(sxx * syy)));
}

export function cupedRows(input: CupedInput): CupedRow[] {
  const { experiment } = input;
  const alpha = experiment.alpha;
  const aggregates = new Map(input.aggregates.map((a) => [key(a.metric, a.variant), a]));
  const rows: CupedRow[] = [];
  for (const plan of input.plans) {
    const c = aggregates.get(key(plan.name, experiment.control));
    for (const variant of experiment.treatments) {
      const t = aggregates.get(key(plan.name, variant));
      const base: CupedRow = {
        metric: plan.name, metric_type: plan.type, metric_role: plan.role, control_variant: experiment.control, variant,
        control_n: c?.n ?? null, treatment_n: t?.n ?? null, min_correlation: CUPED_MIN_CORRELATION, alpha,
        control_mean: c && c.n > 0 ? c.sum / c.n : null, treatment_mean: t && t.n > 0 ? t.sum / t.n : null,
        control_pre_mean: c && c.n > 0 ? c.pre_sum / c.n : null, treatment_pre_mean: t && t.n > 0 ? t.pre_sum / t.n : null,
      };
      const notEligible = (reason: string, detail: string, extra: CupedRow = {}): CupedRow => ({ ...base, ...extra, status: 'not-eligible', reason, reason_detail: detail });
      if (!c || !t) { rows.push(notEligible('NO_AGGREGATES', `metric_aggregates_overall has no row for ${plan.name}`)); continue; }
      if (plan.type === 'quantile') { rows.push(notEligible('QUANTILE_METRIC', 'CUPED adjusts means; a quantile metric is compared without a covariate')); continue; }
      if (experiment.pre_period_days === 0) { rows.push(notEligible('NO_PRE_PERIOD', 'the experiment has pre_period_days: 0, so there is no covariate')); continue; }
      if (c.n === 0 || t.n === 0) {
        rows.push({ ...base, status: 'not-estimable', reason: 'EMPTY_VARIANT', reason_detail: `${c.n === 0 ? experiment.control : variant} has no units` });
        continue;
      }
      if (plan.type === 'ratio') { rows.push(ratioCupedRow(base, c, t, alpha)); continue; }
      const correlation = pooledCorrelation([c, t]);
      if (correlation === null) { rows.push(notEligible('NO_PRE_DATA', 'the pre-period value (or the metric) has no variance: no pre-period data to adjust with')); continue; }
      if (Math.abs(correlation) < CUPED_MIN_CORRELATION) {
        rows.push(notEligible('LOW_CORRELATION', `pooled |corr(metric, pre-period value)| = ${Math.abs(correlation).toFixed(3)} < ${CUPED_MIN_CORRELATION}: a variance reduction below ${(CUPED_MIN_CORRELATION ** 2 * 100).toFixed(0)}%`, { correlation }));
        continue;
      }
      const absolute = cupedTest(cupedStats(c), cupedStats(t), { alpha, difference: 'absolute' });
      if (isNotEstimable(absolute)) {
        rows.push({ ...base, correlation, status: 'not-estimable', reason: absolute.reason, reason_detail: absolute.detail });
        continue;
      }
      const relative: CupedTestResult = cupedTest(cupedStats(c), cupedStats(t), { alpha, difference: 'relative' });
      rows.push({
        ...base,
        status: 'ok', reason: null, reason_detail: null,
        correlation, theta: absolute.theta, variance_reduction: absolute.varianceReduction,
        ...estimateColumns(absolute, relative),
      });
    }
  }
  return rows;
}

/**
 * A ratio metric's CUPED row: the post-period ratio adjusted by the pre-period ratio
 * (ratioCupedTest, gbstats' regression-adjusted ratio). The gate is the variance reduction
 * itself (below CUPED_MIN_CORRELATION², as for per-user metrics, the row says not-eligible):
 * a ratio has no per-user value whose correlation with its pre-period value could be read.
 * correlation stays empty; theta is the ratio regression's coefficient.
 */
/** A CUPED-style test's readout (per-user or ratio): its adjusted and unadjusted estimates. */
interface AdjustedReadout {
  readonly estimate: number;
  readonly se: number;
  readonly ci: Interval;
  readonly pValue: number;
  readonly unadjusted: { readonly estimate: number; readonly se: number; readonly ci: Interval; readonly pValue: number };
}

/** The raw and adjusted lift columns of a CUPED row, absolute and (when estimable) relative. */
function estimateColumns(absolute: AdjustedReadout, relative: AdjustedReadout | NotEstimable): Partial<CupedRow> {
  return {
    raw_lift: absolute.unadjusted.estimate, raw_se: absolute.unadjusted.se,
    raw_ci_lower: absolute.unadjusted.ci[0], raw_ci_upper: absolute.unadjusted.ci[1], raw_p_value: absolute.unadjusted.pValue,
    adjusted_lift: absolute.estimate, adjusted_se: absolute.se,
    adjusted_ci_lower: absolute.ci[0], adjusted_ci_upper: absolute.ci[1], adjusted_p_value: absolute.pValue,
    ...(isNotEstimable(relative) ? {} : {
      raw_relative_lift: relative.unadjusted.estimate, raw_relative_ci_lower: relative.unadjusted.ci[0], raw_relative_ci_upper: relative.unadjusted.ci[1],
      adjusted_relative_lift: relative.estimate, adjusted_relative_ci_lower: relative.ci[0], adjusted_relative_ci_upper: relative.ci[1],
    }),
  };
}

function ratioCupedRow(base: CupedRow, c: OverallAggregate, t: OverallAggregate, alpha: number): CupedRow {
  const ratios = (a: OverallAggregate): [number | null, number | null] => [
    a.denominator_sum ? a.sum / a.denominator_sum : null,
    a.pre_denominator_sum ? a.pre_sum / a.pre_denominator_sum : null,
  ];
  const [cr, cpr] = ratios(c);
  const [tr, tpr] = ratios(t);
  const row: CupedRow = { ...base, control_mean: cr, treatment_mean: tr, control_pre_mean: cpr, treatment_pre_mean: tpr };
  const absolute = ratioCupedTest(ratioCupedStats(c), ratioCupedStats(t), { alpha, difference: 'absolute' });
  if (isNotEstimable(absolute)) {
    return absolute.reason === 'NO_COVARIATE'
      ? { ...row, status: 'not-eligible', reason: 'NO_PRE_DATA', reason_detail: absolute.detail }
      : { ...row, status: 'not-estimable', reason: absolute.reason, reason_detail: absolute.detail };
  }
  const floor = CUPED_MIN_CORRELATION ** 2;
  if (absolute.varianceReduction < floor) {
    return { ...row, theta: absolute.theta, variance_reduction: absolute.varianceReduction, status: 'not-eligible', reason: 'LOW_CORRELATION',
      reason_detail: `the pre-period ratio reduces the variance by ${(absolute.varianceReduction * 100).toFixed(1)}% < ${(floor * 100).toFixed(0)}%` };
  }
  const relative = ratioCupedTest(ratioCupedStats(c), ratioCupedStats(t), { alpha, difference: 'relative' });
  return {
    ...row,
    status: 'ok', reason: null, reason_detail: null,
    theta: absolute.theta, variance_reduction: absolute.varianceReduction,
    ...estimateColumns(absolute, relative),
  };
}
