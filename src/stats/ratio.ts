/**
 * Ratio metrics (sum of x over sum of y, e.g. clicks per page view) where the unit of
 * analysis (page view) is finer than the unit of randomization (user): the per-user pairs
 * (x, y) are i.i.d., the ratio of their means is not a mean, and its variance comes from
 * the delta method.
 */
import { contrast, NORMAL, validateTestConfig, waldInference } from './inference.ts';
import { assertCount, assertFinite, sampleCovariance, sampleVariance } from './moments.ts';
import {
  defaultTestConfig,
  isNotEstimable,
  notEstimable,
  type Interval,
  type NotEstimable,
  type RatioStats,
  type TestConfig,
} from './types.ts';

export type RatioTestConfig = TestConfig;
export const defaultRatioTestConfig: RatioTestConfig = defaultTestConfig;

export interface RatioTestOk {
  readonly status: 'ok';
  /** R_t - R_c, or (R_t - R_c) / |R_c| */
  readonly estimate: number;
  readonly se: number;
  readonly ci: Interval;
  readonly pValue: number;
  readonly statistic: number;
  readonly controlRatio: number;
  readonly treatmentRatio: number;
}

export type RatioTestResult = RatioTestOk | NotEstimable;

interface RatioArm {
  readonly ratio: number;
  /** variance of the ratio estimate */
  readonly variance: number;
}

/**
 * One arm's ratio R = xbar / ybar and, by the delta method (Deng, Knoblich & Lu 2018,
 * "Applying the Delta Method in Metric Analytics", KDD, section 2 eq. 2 / Appendix B):
 *   Var R = (1/n) [ s_xx / ybar^2 - 2 xbar s_xy / ybar^3 + xbar^2 s_yy / ybar^4 ]
 * with unbiased sample (co)variances s_xx, s_xy, s_yy.
 */
function ratioArm(stats: RatioStats, label: string): RatioArm | NotEstimable {
  assertCount(stats.n, label);
  assertFinite(
    {
      numeratorSum: stats.numeratorSum,
      numeratorSumSquares: stats.numeratorSumSquares,
      denominatorSum: stats.denominatorSum,
      denominatorSumSquares: stats.denominatorSumSquares,
      numeratorDenominatorSum: stats.numeratorDenominatorSum,
    },
    label,
  );
  const { n } = stats;
  if (n === 0) return notEstimable('EMPTY_VARIANT', `${label} has no units`);
  if (n === 1) return notEstimable('INSUFFICIENT_DATA', `${label} has a single unit; its variance is not estimable`);
  if (stats.denominatorSum === 0) return notEstimable('ZERO_DENOMINATOR', `${label}: the denominator sums to 0`);
  const mx = stats.numeratorSum / n;
  const my = stats.denominatorSum / n;
  const sxx = sampleVariance(n, stats.numeratorSum, stats.numeratorSumSquares, `${label} numerator`);
  const syy = sampleVariance(n, stats.denominatorSum, stats.denominatorSumSquares, `${label} denominator`);
  const sxy = sampleCovariance(
    n,
    stats.numeratorSum,
    stats.denominatorSum,
    stats.numeratorDenominatorSum,
    Math.sqrt(Math.abs(stats.numeratorSumSquares * stats.denominatorSumSquares)),
  );
  const r = mx / my;
  const terms = sxx / (my * my) + (r * r * syy) / (my * my);
  const raw = (terms - (2 * r * sxy) / (my * my)) / n;
  // The quadratic form is a variance (of the linearized x - R y); only rounding makes it negative.
  const variance = raw <= 1e-12 * (terms / n) ? 0 : raw;
  return { ratio: r, variance };
}

/**
 * Ratio-metric test: estimate R_t - R_c (absolute) or (R_t - R_c)/|R_c| (relative, delta
 * method over the two independent arm variances), standard error from the per-arm delta
 * method above, p-value and interval from the normal distribution (Deng et al. 2018,
 * section 3). The margin convention is that of welchTest.
 * Not estimable: EMPTY_VARIANT, INSUFFICIENT_DATA (n = 1), ZERO_DENOMINATOR (sum y = 0 in an
 * arm), ZERO_BASELINE (relative lift over R_c = 0), ZERO_VARIANCE.
 */
export function ratioTest(control: RatioStats, treatment: RatioStats, config: Partial<RatioTestConfig> = {}): RatioTestResult {
  const label = 'ratioTest';
  const cfg: RatioTestConfig = { ...defaultRatioTestConfig, ...config };
  validateTestConfig(cfg, label);
  const c = ratioArm(control, `${label}: control`);
  if (isNotEstimable(c)) return c;
  const t = ratioArm(treatment, `${label}: treatment`);
  if (isNotEstimable(t)) return t;
  const diff = contrast(
    { estimate: c.ratio, variance: c.variance },
    { estimate: t.ratio, variance: t.variance },
    cfg.difference,
    label,
  );
  if (isNotEstimable(diff)) return diff;
  if (!(diff.variance > 0)) return notEstimable('ZERO_VARIANCE', `${label}: both arms' ratios have zero variance`);
  const se = Math.sqrt(diff.variance);
  const inference = waldInference(diff.estimate, se, cfg, NORMAL);
  return {
    status: 'ok',
    estimate: diff.estimate,
    se,
    ci: inference.ci,
    pValue: inference.pValue,
    statistic: inference.statistic,
    controlRatio: c.ratio,
    treatmentRatio: t.ratio,
  };
}
