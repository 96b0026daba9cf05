/**
 * 2x2 difference-in-differences with unit-clustered standard errors, from per-arm sufficient
 * statistics of each unit's pre-period and post-period value (every unit observed in both
 * periods; each unit is a cluster).
 */
import { contrast, satterthwaiteDf, validateTestConfig, waldInference } from './inference.ts';
import { armMoments, assertCount, assertFinite } from './moments.ts';
import { defaultTestConfig, isNotEstimable, notEstimable, type DidStats, type Interval, type NotEstimable, type TestConfig } from './types.ts';

/** DiD is an absolute contrast of changes; there is no relative variant. */
export type DidConfig = Omit<TestConfig, 'difference'>;

export const defaultDidConfig: DidConfig = {
  alpha: defaultTestConfig.alpha,
  alternative: defaultTestConfig.alternative,
  margin: defaultTestConfig.margin,
};

export interface DidOk {
  readonly status: 'ok';
  /** mean(post - pre) in treatment minus mean(post - pre) in control */
  readonly estimate: number;
  /** cluster-robust (CR2) standard error = Welch standard error of the per-unit changes */
  readonly se: number;
  readonly ci: Interval;
  readonly pValue: number;
  readonly statistic: number;
  /** Welch-Satterthwaite degrees of freedom */
  readonly df: number;
  /** mean(post - pre) per arm */
  readonly controlChange: number;
  readonly treatmentChange: number;
}

export type DidResult = DidOk | NotEstimable;

/**
 * Per-unit changes d = post - pre of one arm as (n, sum d, sum d^2):
 * sum d = postSum - preSum, sum d^2 = postSumSquares - 2 sumPrePost + preSumSquares.
 */
function changes(stats: DidStats, label: string) {
  assertCount(stats.n, label);
  assertFinite(
    { preSum: stats.preSum, preSumSquares: stats.preSumSquares, postSum: stats.postSum, postSumSquares: stats.postSumSquares, sumPrePost: stats.sumPrePost },
    label,
  );
  const scale = Math.abs(stats.postSumSquares) + Math.abs(stats.preSumSquares) + 2 * Math.abs(stats.sumPrePost);
  return armMoments(
    { n: stats.n, sum: stats.postSum - stats.preSum, sumSquares: stats.postSumSquares - 2 * stats.sumPrePost + stats.preSumSquares },
    label,
    scale,
  );
}

/**
 * Difference-in-differences, 2 arms x 2 periods, one pre and one post value per unit.
 *   estimate: the OLS interaction coefficient of y_ip = b0 + b1 treat_i + b2 post_p
 *     + b3 treat_i post_p, which in a balanced panel equals dbar_t - dbar_c with d_i = post_i - pre_i
 *     (Angrist & Pischke 2009, Mostly Harmless Econometrics, section 5.2; Wooldridge 2010,
 *     Econometric Analysis of Cross Section and Panel Data, section 6.5.2).
 *   se: clustering by unit, the score of unit i on b3 is (d_i - dbar_arm) / n_arm, so the
 *     sandwich without correction (CR0) is sum_arm sum_i (d_i - dbar)^2 / n_arm^2. This model is
 *     saturated, every unit's hat block is I / n_arm, and the Bell & McCaffrey (2002, Survey
 *     Methodology 28:169) CR2 correction (I - H_ii)^(-1/2) multiplies each arm's term by
 *     n_arm / (n_arm - 1):  se^2 = s_t^2 / n_t + s_c^2 / n_c, the Welch variance of the
 *     per-unit changes (equivalently HC2 of the first-differenced regression; Imbens &
 *     Kolesar 2016, Review of Economics and Statistics 98:701). CR2 is the small-sample
 *     correction used here; statsmodels' default CR1 factor G/(G-1) (N-1)/(N-K) differs by
 *     O(1/n) and is reported next to CR0 and CR2 in the fixtures.
 *   p-value and interval: Student's t with the Welch-Satterthwaite df of the changes.
 * Not estimable: EMPTY_VARIANT, INSUFFICIENT_DATA (one unit in an arm), ZERO_VARIANCE (every
 * unit's change is the same in both arms).
 */
export function differenceInDifferences(control: DidStats, treatment: DidStats, config: Partial<DidConfig> = {}): DidResult {
  const label = 'differenceInDifferences';
  const cfg: DidConfig = { ...defaultDidConfig, ...config };
  const testConfig: TestConfig = { ...cfg, difference: 'absolute' };
  validateTestConfig(testConfig, label);
  const c = changes(control, `${label}: control`);
  if (isNotEstimable(c)) return c;
  const t = changes(treatment, `${label}: treatment`);
  if (isNotEstimable(t)) return t;
  const diff = contrast({ estimate: c.mean, variance: c.variance / c.n }, { estimate: t.mean, variance: t.variance / t.n }, 'absolute', label);
  if (isNotEstimable(diff)) return diff;
  if (!(diff.variance > 0)) return notEstimable('ZERO_VARIANCE', `${label}: every unit changed by the same amount within each arm`);
  const se = Math.sqrt(diff.variance);
  const df = satterthwaiteDf([
    [diff.treatmentComponent, t.n],
    [diff.controlComponent, c.n],
  ]);
  const inference = waldInference(diff.estimate, se, testConfig, { kind: 't', df });
  return {
    status: 'ok',
    estimate: diff.estimate,
    se,
    ci: inference.ci,
    pValue: inference.pValue,
    statistic: inference.statistic,
    df,
    controlChange: c.mean,
    treatmentChange: t.mean,
  };
}
