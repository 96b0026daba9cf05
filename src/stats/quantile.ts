/**
 * Quantile metrics: the difference between the arms' nu-quantiles of users' values (the
 * median user, the 90th-percentile user), with the variance of each sample quantile from its
 * distribution-free order-statistic interval, as GrowthBook's quantile test does
 * (gbstats QuantileStatistic; "Quantile Metrics" in GrowthBook's statistics docs).
 */
import { contrast, NORMAL, validateTestConfig, waldInference } from './inference.ts';
import { normalQuantile } from './distributions.ts';
import { assertCount, assertFinite } from './moments.ts';
import { defaultTestConfig, isNotEstimable, notEstimable, type Interval, type NotEstimable, type TestConfig } from './types.ts';

/**
 * One arm's quantile statistics, computed in SQL over its n users' values x_(1) <= ... <= x_(n):
 *   quantile = x_(ceil(n nu))            (the sample quantile, Hyndman & Fan 1996 definition 1)
 *   lower / upper = x_(ceil(n p_-/+)), p_-/+ = nu -/+ z_0.975 sqrt(nu (1 − nu) / n), clipped to
 *     (1e-8, 1 − 1e-8): the order statistics bracketing the quantile with about 95% coverage
 *     (the binomial / normal-approximation interval for a quantile; Conover 1999, Practical
 *     Nonparametric Statistics, section 3.2)
 */
export interface QuantileStats {
  readonly n: number;
  /** the quantile level nu in (0, 1) */
  readonly nu: number;
  readonly quantile: number;
  readonly lower: number;
  readonly upper: number;
}

export type QuantileTestConfig = TestConfig;

export interface QuantileTestOk {
  readonly status: 'ok';
  /** q_t − q_c, or (q_t − q_c) / |q_c| */
  readonly estimate: number;
  readonly se: number;
  readonly ci: Interval;
  readonly pValue: number;
  readonly statistic: number;
  readonly controlQuantile: number;
  readonly treatmentQuantile: number;
}

export type QuantileTestResult = QuantileTestOk | NotEstimable;

/** The 97.5% normal quantile the SQL bounds are taken at (fixed: they are a variance estimate, not the test's interval). */
export const QUANTILE_BOUND_Z = normalQuantile(0.975);

/**
 * Variance of one arm's sample quantile: the order-statistic interval has width about
 * 2 z sd(q̂), so Var q̂ = ((upper − lower) / (2 z))², times (n − 1) / n as in gbstats
 * (QuantileStatistic.variance_init with n_star = n, divided by n in the test).
 * Not estimable with too few users for the interval to lie inside the sample,
 * n <= z² nu / (1 − nu) or n <= z² (1 − nu) / nu (gbstats' _has_zero_variance).
 */
function armVariance(s: QuantileStats, label: string): number | NotEstimable {
  assertCount(s.n, label);
  assertFinite({ quantile: s.quantile, lower: s.lower, upper: s.upper }, label);
  if (!(s.nu > 0 && s.nu < 1)) throw new RangeError(`${label}: nu=${s.nu} must be in (0, 1)`);
  if (s.n === 0) return notEstimable('EMPTY_VARIANT', `${label} has no units`);
  const z2 = QUANTILE_BOUND_Z * QUANTILE_BOUND_Z;
  if (s.n <= (z2 * s.nu) / (1 - s.nu) || s.n <= (z2 * (1 - s.nu)) / s.nu) {
    return notEstimable('INSUFFICIENT_DATA', `${label}: ${s.n} users are too few for the ${s.nu} quantile's interval`);
  }
  if (s.lower > s.quantile || s.quantile > s.upper) throw new RangeError(`${label}: lower <= quantile <= upper must hold`);
  const half = (s.upper - s.lower) / (2 * QUANTILE_BOUND_Z);
  return ((s.n - 1) / s.n) * half * half;
}

/**
 * Quantile test: absolute q_t − q_c with Var = Var q̂_t + Var q̂_c, or relative
 * (q_t − q_c) / |q_c| by the delta method (inference.ts contrast, as gbstats'
 * frequentist_variance); p-value and interval from the normal reference.
 * Not estimable: EMPTY_VARIANT, INSUFFICIENT_DATA, ZERO_VARIANCE (the bounds coincide in both
 * arms: ties at the quantile), ZERO_BASELINE (relative, q_c = 0).
 */
export function quantileTest(control: QuantileStats, treatment: QuantileStats, config: Partial<QuantileTestConfig> = {}): QuantileTestResult {
  const label = 'quantileTest';
  const cfg: QuantileTestConfig = { ...defaultTestConfig, ...config };
  validateTestConfig(cfg, label);
  const vc = armVariance(control, `${label}: control`);
  if (isNotEstimable(vc)) return vc;
  const vt = armVariance(treatment, `${label}: treatment`);
  if (isNotEstimable(vt)) return vt;
  if (!(vc > 0) || !(vt > 0)) return notEstimable('ZERO_VARIANCE', `${label}: the users' values tie around the quantile in ${vc > 0 ? 'treatment' : 'control'}, so its interval has no width`);
  const d = contrast({ estimate: control.quantile, variance: vc }, { estimate: treatment.quantile, variance: vt }, cfg.difference, label);
  if (isNotEstimable(d)) return d;
  const se = Math.sqrt(d.variance);
  const inference = waldInference(d.estimate, se, cfg, NORMAL);
  return {
    status: 'ok',
    estimate: d.estimate,
    se,
    ci: inference.ci,
    pValue: inference.pValue,
    statistic: inference.statistic,
    controlQuantile: control.quantile,
    treatmentQuantile: treatment.quantile,
  };
}
