/**
 * Shared shapes of the statistics module: the sufficient statistics that SQL produces (one
 * row per experiment x variant x metric), the common test configuration, and the
 * `not-estimable` half of every result union.
 *
 * Data degeneracies (an empty arm, a single user, zero variance, a zero baseline) are
 * answered with `not-estimable` and a stable reason. Structurally impossible input (a
 * negative or fractional count, successes > n, a non-finite sum) and invalid configuration
 * (alpha outside (0, 1), a negative margin) are bugs upstream and throw a RangeError.
 */

/** Direction of the alternative hypothesis for treatment - control. */
export type Alternative = 'two-sided' | 'greater' | 'less';

/** absolute: mean_t - mean_c; relative: (mean_t - mean_c) / |mean_c| (the lift). */
export type Difference = 'absolute' | 'relative';

/** A confidence (or credible) interval; `null` marks an unbounded side (one-sided tests). */
export type Interval = readonly [lower: number | null, upper: number | null];

export type NotEstimableReason =
  /** an arm has no units (n = 0) */
  | 'EMPTY_VARIANT'
  /** too few units, looks or days to estimate what is asked (e.g. one user per arm) */
  | 'INSUFFICIENT_DATA'
  /** the standard error is zero: every unit has the same value */
  | 'ZERO_VARIANCE'
  /** a relative lift over a control mean (or rate, or ratio) of zero */
  | 'ZERO_BASELINE'
  /** a ratio metric whose denominator sums to zero in an arm */
  | 'ZERO_DENOMINATOR'
  /** CUPED covariate with zero variance: it cannot explain anything */
  | 'NO_COVARIATE'
  /** log risk ratio with zero successes in an arm */
  | 'NO_EVENTS'
  /** power analysis for an effect of zero (infinite sample size) */
  | 'ZERO_EFFECT'
  /** the running intersection of an always-valid confidence sequence became empty */
  | 'EMPTY_CONFIDENCE_SEQUENCE';

export interface NotEstimable {
  readonly status: 'not-estimable';
  readonly reason: NotEstimableReason;
  /** one human sentence naming the arm or quantity at fault */
  readonly detail: string;
}

export function notEstimable(reason: NotEstimableReason, detail: string): NotEstimable {
  return { status: 'not-estimable', reason, detail };
}

export function isNotEstimable(value: unknown): value is NotEstimable {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { status?: unknown }).status === 'not-estimable'
  );
}

/** Configuration shared by the frequentist two-sample tests. */
export interface TestConfig {
  /** significance level; the interval has coverage 1 - alpha */
  readonly alpha: number;
  readonly difference: Difference;
  readonly alternative: Alternative;
  /**
   * Non-inferiority margin (>= 0, in the units of `difference`). With 'greater' the null
   * is effect <= -margin ("treatment is not worse by more than margin"); with 'less' it is
   * effect >= margin. Must be 0 for 'two-sided'.
   */
  readonly margin: number;
}

export const defaultTestConfig: TestConfig = {
  alpha: 0.05,
  difference: 'absolute',
  alternative: 'two-sided',
  margin: 0,
};

/** Per-arm sufficient statistics of a per-unit metric y: n, sum y, sum y^2. */
export interface MeanStats {
  readonly n: number;
  readonly sum: number;
  readonly sumSquares: number;
}

/** Per-arm sufficient statistics of a binary metric. */
export interface ProportionStats {
  readonly n: number;
  readonly successes: number;
}

/** Per-arm sufficient statistics of a ratio metric sum(x) / sum(y) over units. */
export interface RatioStats {
  readonly n: number;
  readonly numeratorSum: number;
  readonly numeratorSumSquares: number;
  readonly denominatorSum: number;
  readonly denominatorSumSquares: number;
  /** sum over units of x * y */
  readonly numeratorDenominatorSum: number;
}

/** Per-arm sufficient statistics for CUPED: metric y and pre-period covariate x per unit. */
export interface CupedStats {
  readonly n: number;
  readonly sum: number;
  readonly sumSquares: number;
  readonly preSum: number;
  readonly preSumSquares: number;
  /** sum over units of x * y */
  readonly sumPreProduct: number;
}

/**
 * Per-arm sufficient statistics for a 2x2 difference-in-differences: each unit (cluster)
 * has one pre-period value and one post-period value.
 */
export interface DidStats {
  readonly n: number;
  readonly preSum: number;
  readonly preSumSquares: number;
  readonly postSum: number;
  readonly postSumSquares: number;
  /** sum over units of pre * post */
  readonly sumPrePost: number;
}
