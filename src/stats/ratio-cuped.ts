/**
 * CUPED for ratio metrics (sum of x over sum of y, e.g. revenue per order): the post-period
 * ratio adjusted by the same ratio over the pre period, R_post − θ R_pre, with its variance
 * from the delta method over the four per-user means (x_post, y_post, x_pre, y_pre).
 * The regression-adjusted ratio statistic of GrowthBook's gbstats
 * (RegressionAdjustedRatioStatistic, compute_theta_regression_adjusted_ratio and
 * frequentist_variance_relative_cuped_ratio), after Deng, Knoblich & Lu 2018, "Applying
 * the Delta Method in Metric Analytics", KDD, section 3.3 (CUPED for ratio metrics).
 */
import { contrast, NORMAL, validateTestConfig, waldInference } from './inference.ts';
import { assertCount, assertFinite, sampleCovariance, sampleVariance } from './moments.ts';
import { ratioTest } from './ratio.ts';
import {
  defaultTestConfig,
  isNotEstimable,
  notEstimable,
  type Interval,
  type NotEstimable,
  type RatioStats,
  type TestConfig,
} from './types.ts';

/** Per-arm sufficient statistics: a ratio metric's per-user parts in both periods and their cross products. */
export interface RatioCupedStats extends RatioStats {
  readonly preNumeratorSum: number;
  readonly preNumeratorSumSquares: number;
  readonly preDenominatorSum: number;
  readonly preDenominatorSumSquares: number;
  /** sum over users of x_pre * y_pre */
  readonly preNumeratorDenominatorSum: number;
  /** sum of x_post * x_pre */
  readonly numeratorPreNumeratorSum: number;
  /** sum of y_post * y_pre */
  readonly denominatorPreDenominatorSum: number;
  /** sum of x_post * y_pre */
  readonly numeratorPreDenominatorSum: number;
  /** sum of y_post * x_pre */
  readonly denominatorPreNumeratorSum: number;
}

export type RatioCupedTestConfig = TestConfig;

export interface RatioCupedTestOk {
  readonly status: 'ok';
  /** the pooled adjustment coefficient of R_post on R_pre */
  readonly theta: number;
  readonly estimate: number;
  readonly se: number;
  readonly ci: Interval;
  readonly pValue: number;
  readonly statistic: number;
  /** 1 − Var(adjusted) / Var(unadjusted) */
  readonly varianceReduction: number;
  /** raw post-period ratios */
  readonly controlRatio: number;
  readonly treatmentRatio: number;
  readonly controlPreRatio: number;
  readonly treatmentPreRatio: number;
  readonly unadjusted: { readonly estimate: number; readonly se: number; readonly ci: Interval; readonly pValue: number };
}

export type RatioCupedTestResult = RatioCupedTestOk | NotEstimable;

type Vec4 = readonly [number, number, number, number];
type Mat4 = readonly [Vec4, Vec4, Vec4, Vec4];

interface Arm {
  readonly n: number;
  /** means of (x_post, y_post, x_pre, y_pre) */
  readonly mean: Vec4;
  /** their sample covariance matrix (n − 1) */
  readonly cov: Mat4;
}

function arm(s: RatioCupedStats, label: string): Arm | NotEstimable {
  assertCount(s.n, label);
  const { n, ...sums } = s;
  assertFinite(sums, label);
  if (n === 0) return notEstimable('EMPTY_VARIANT', `${label} has no units`);
  if (n === 1) return notEstimable('INSUFFICIENT_DATA', `${label} has a single unit; its variance is not estimable`);
  if (s.denominatorSum === 0) return notEstimable('ZERO_DENOMINATOR', `${label}: the denominator sums to 0`);
  if (s.preDenominatorSum === 0) return notEstimable('NO_COVARIATE', `${label}: the pre-period denominator sums to 0, so there is no pre-period ratio`);
  const sum: Vec4 = [s.numeratorSum, s.denominatorSum, s.preNumeratorSum, s.preDenominatorSum];
  const sq: Vec4 = [s.numeratorSumSquares, s.denominatorSumSquares, s.preNumeratorSumSquares, s.preDenominatorSumSquares];
  const cross = (i: number, j: number): number => {
    const k = `${Math.min(i, j)}${Math.max(i, j)}`;
    return k === '01' ? s.numeratorDenominatorSum
      : k === '02' ? s.numeratorPreNumeratorSum
      : k === '03' ? s.numeratorPreDenominatorSum
      : k === '12' ? s.denominatorPreNumeratorSum
      : k === '13' ? s.denominatorPreDenominatorSum
      : s.preNumeratorDenominatorSum;
  };
  const cov = [0, 1, 2, 3].map((i) => [0, 1, 2, 3].map((j) => i === j
    ? sampleVariance(n, sum[i]!, sq[i]!, label)
    : sampleCovariance(n, sum[i]!, sum[j]!, cross(i, j), Math.sqrt(Math.abs(sq[i]! * sq[j]!))))) as unknown as Mat4;
  return { n, mean: sum.map((v) => v / n) as unknown as Vec4, cov };
}

/** g' Λ g over the index set `a` on the left and `b` on the right. */
function quad(g: Vec4, cov: Mat4, a: readonly number[], b: readonly number[], h: Vec4 = g): number {
  let total = 0;
  for (const i of a) for (const j of b) total += g[i]! * cov[i]![j]! * h[j]!;
  return total;
}

/** ∇ of R_post − θ R_pre in (x_post, y_post, x_pre, y_pre): (1/ȳ, −x̄/ȳ², −θ/ȳ_pre, θ x̄_pre/ȳ_pre²). */
function gradient(m: Vec4, theta: number): Vec4 {
  return [1 / m[1], -m[0] / (m[1] * m[1]), -theta / m[3], (theta * m[2]) / (m[3] * m[3])];
}

const POST = [0, 1] as const;
const PRE = [2, 3] as const;
const ALL = [0, 1, 2, 3] as const;

/**
 * Regression-adjusted ratio test.
 *   per arm: A = R_post − θ R_pre, R = x̄/ȳ; per-user variance ∇'Λ∇ (Λ the sample covariance of
 *     the four per-user values, ∇ as in `gradient`), Var A = ∇'Λ∇ / n (delta method)
 *   θ = Σ_arms cov(lin R_post, lin R_pre) / Σ_arms var(lin R_pre), the per-user linearised
 *     ratios' moments summed over the two arms unweighted (gbstats
 *     compute_theta_regression_adjusted_ratio: −(c_a + c_b) / (v_a + v_b) with ∇ at θ = 1)
 *   absolute: d = A_t − A_c, Var d = Var A_t + Var A_c
 *   relative: d = (A_t − A_c) / |R_c,post|; the control's gradient also carries the baseline:
 *     ∇_c = (−(|R| + g)/ȳ, x̄(|R| + g)/ȳ², θ/ȳ_pre, −θ x̄_pre/ȳ_pre²) / R², g = (A_t − A_c) sign(R),
 *     ∇_t = ∇(θ) / |R| (gbstats frequentist_variance_relative_cuped_ratio)
 *   normal reference for p and the interval; the unadjusted comparison is ratioTest.
 * Not estimable: EMPTY_VARIANT, INSUFFICIENT_DATA, ZERO_DENOMINATOR (post), NO_COVARIATE
 * (a pre-period denominator of 0, or no pre-period variance), ZERO_BASELINE, ZERO_VARIANCE.
 */
export function ratioCupedTest(control: RatioCupedStats, treatment: RatioCupedStats, config: Partial<RatioCupedTestConfig> = {}): RatioCupedTestResult {
  const label = 'ratioCupedTest';
  const cfg: RatioCupedTestConfig = { ...defaultTestConfig, ...config };
  validateTestConfig(cfg, label);
  const c = arm(control, `${label}: control`);
  if (isNotEstimable(c)) return c;
  const t = arm(treatment, `${label}: treatment`);
  if (isNotEstimable(t)) return t;
  const unadjusted = ratioTest(control, treatment, cfg);
  if (isNotEstimable(unadjusted)) return unadjusted;

  const one = (a: Arm): { v: number; cv: number } => {
    const g = gradient(a.mean, 1);
    return { v: quad(g, a.cov, PRE, PRE), cv: quad(g, a.cov, PRE, POST) };
  };
  const oc = one(c);
  const ot = one(t);
  if (!(oc.v + ot.v > 0)) return notEstimable('NO_COVARIATE', `${label}: the pre-period ratio has no variance, so it cannot reduce any`);
  const theta = -(oc.cv + ot.cv) / (oc.v + ot.v);

  const ratio = (a: Arm, i: 0 | 2): number => a.mean[i] / a.mean[i + 1]!;
  const adjusted = (a: Arm): number => ratio(a, 0) - theta * ratio(a, 2);
  const armVariance = (a: Arm): number => Math.max(0, quad(gradient(a.mean, theta), a.cov, ALL, ALL)) / a.n;
  const delta = adjusted(t) - adjusted(c);
  let estimate: number;
  let variance: number;
  if (cfg.difference === 'absolute') {
    const d = contrast({ estimate: adjusted(c), variance: armVariance(c) }, { estimate: adjusted(t), variance: armVariance(t) }, 'absolute', label);
    if (isNotEstimable(d)) return d;
    estimate = d.estimate;
    variance = d.variance;
  } else {
    const r = ratio(c, 0);
    if (r === 0) return notEstimable('ZERO_BASELINE', `${label}: the control ratio is 0, so a relative lift is undefined`);
    const abs = Math.abs(r);
    const g = delta * Math.sign(r);
    const [mx, my, mxp, myp] = c.mean;
    const gc: Vec4 = [-(abs + g) / my / (abs * abs), (mx * (abs + g)) / (my * my) / (abs * abs), theta / myp / abs, (-theta * mxp) / (myp * myp) / abs];
    const gt = gradient(t.mean, theta).map((v) => v / abs) as unknown as Vec4;
    estimate = delta / abs;
    variance = Math.max(0, quad(gc, c.cov, ALL, ALL)) / c.n + Math.max(0, quad(gt, t.cov, ALL, ALL)) / t.n;
  }
  if (!(variance > 0)) return notEstimable('ZERO_VARIANCE', `${label}: the adjusted ratio has zero variance`);
  const se = Math.sqrt(variance);
  const inference = waldInference(estimate, se, cfg, NORMAL);
  return {
    status: 'ok',
    theta,
    estimate,
    se,
    ci: inference.ci,
    pValue: inference.pValue,
    statistic: inference.statistic,
    varianceReduction: 1 - variance / (unadjusted.se * unadjusted.se),
    controlRatio: ratio(c, 0),
    treatmentRatio: ratio(t, 0),
    controlPreRatio: ratio(c, 2),
    treatmentPreRatio: ratio(t, 2),
    unadjusted: { estimate: unadjusted.estimate, se: unadjusted.se, ci: unadjusted.ci, pValue: unadjusted.pValue },
  };
}
