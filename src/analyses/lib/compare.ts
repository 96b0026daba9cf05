/**
 * One two-arm comparison for any metric type: binomial → proportionTest (score test,
 * Newcombe / Katz intervals), mean → welchTest, ratio → ratioTest (delta method). The
 * result is the common part of their answers, or the not-estimable reason.
 */
import {
  isNotEstimable,
  notEstimable,
  proportionTest,
  quantileTest,
  ratioTest,
  welchTest,
  type MeanTestOk,
  type NotEstimable,
  type TestConfig,
} from '../../stats/index.ts';
import { meanStats, proportionStats, ratioStats, type ArmStats, type MetricType } from './aggregates.ts';

/**
 * The common part of the three tests' answers: the mean test's result shape, with arm
 * rates (binomial) or ratios of sums (ratio) as the arm means and df null for the
 * normal-reference tests.
 */
export type Comparison = MeanTestOk;

export type ComparisonResult = Comparison | NotEstimable;

export const TEST_NAMES: Readonly<Record<MetricType, string>> = {
  binomial: 'proportion-score',
  mean: 'welch-t',
  ratio: 'ratio-delta',
  quantile: 'quantile-order-statistic',
};

/**
 * compare() for a quantile metric, which needs the quantile level nu (the metric's
 * `quantile`). Arms without quantile statistics (daily and cumulative rows: quantiles are
 * computed over the whole period only) are INSUFFICIENT_DATA.
 */
export function compareQuantile(nu: number, control: ArmStats, treatment: ArmStats, config: Partial<TestConfig>): ComparisonResult {
  const qc = control.quantile;
  const qt = treatment.quantile;
  if (control.n === 0 || treatment.n === 0) return notEstimable('EMPTY_VARIANT', `${control.n === 0 ? 'control' : 'treatment'} has no units`);
  if (!qc || !qt) return notEstimable('INSUFFICIENT_DATA', 'quantile metrics are compared over the whole period only (no daily quantiles)');
  const r = quantileTest({ n: control.n, nu, quantile: qc.value, lower: qc.lower, upper: qc.upper }, { n: treatment.n, nu, quantile: qt.value, lower: qt.lower, upper: qt.upper }, config);
  if (isNotEstimable(r)) return r;
  return { status: 'ok', estimate: r.estimate, se: r.se, ci: r.ci, pValue: r.pValue, statistic: r.statistic, df: null, controlMean: r.controlQuantile, treatmentMean: r.treatmentQuantile };
}

export function compare(type: MetricType, control: ArmStats, treatment: ArmStats, config: Partial<TestConfig>, nu?: number): ComparisonResult {
  if (type === 'quantile') {
    if (nu === undefined) return notEstimable('INSUFFICIENT_DATA', 'a quantile metric needs its quantile level');
    return compareQuantile(nu, control, treatment, config);
  }
  if (type === 'binomial') {
    const r = proportionTest(proportionStats(control), proportionStats(treatment), config);
    if (isNotEstimable(r)) return r;
    return { status: 'ok', estimate: r.estimate, se: r.se, ci: r.ci, pValue: r.pValue, statistic: r.statistic, df: null, controlMean: r.controlRate, treatmentMean: r.treatmentRate };
  }
  if (type === 'ratio') {
    const r = ratioTest(ratioStats(control), ratioStats(treatment), config);
    if (isNotEstimable(r)) return r;
    return { status: 'ok', estimate: r.estimate, se: r.se, ci: r.ci, pValue: r.pValue, statistic: r.statistic, df: null, controlMean: r.controlRatio, treatmentMean: r.treatmentRatio };
  }
  const r = welchTest(meanStats(control), meanStats(treatment), config);
  if (isNotEstimable(r)) return r;
  return { status: 'ok', estimate: r.estimate, se: r.se, ci: r.ci, pValue: r.pValue, statistic: r.statistic, df: r.df, controlMean: r.controlMean, treatmentMean: r.treatmentMean };
}

/** The arm mean without a test (for rows whose comparison is not estimable). */
export function armMean(type: MetricType, arm: ArmStats): number | null {
  if (arm.n === 0) return null;
  if (type === 'quantile') return arm.quantile?.value ?? null;
  if (type === 'ratio') return arm.denominatorSum ? arm.sum / arm.denominatorSum : null;
  return arm.sum / arm.n;
}
