/**
 * The machinery shared by the frequentist tests: validating a config, turning an estimate
 * and its standard error into a p-value and a (one- or two-sided) confidence interval
 * under a normal or t reference distribution, and the delta-method difference of two
 * independent arm estimates.
 */
import { normalCdf, normalQuantile, normalSf, studentTCdf, studentTQuantile, studentTSf } from './distributions.ts';
import { notEstimable, type Alternative, type Difference, type Interval, type NotEstimable, type TestConfig } from './types.ts';

/** Reference distribution of the standardized statistic. */
export type Reference = { readonly kind: 'normal' } | { readonly kind: 't'; readonly df: number };

export const NORMAL: Reference = { kind: 'normal' };

export function validateAlpha(alpha: number, label: string): void {
  if (!(alpha > 0 && alpha < 1)) throw new RangeError(`${label}: alpha=${alpha} must be in (0, 1)`);
}

export function validateTestConfig(config: TestConfig, label: string): void {
  validateAlpha(config.alpha, label);
  if (!(config.margin >= 0) || !Number.isFinite(config.margin)) {
    throw new RangeError(`${label}: margin=${config.margin} must be a finite number >= 0`);
  }
  if (config.margin > 0 && config.alternative === 'two-sided') {
    throw new RangeError(`${label}: a non-inferiority margin needs a one-sided alternative ('greater' or 'less')`);
  }
}

/**
 * Effect under the null hypothesis: 0, or -margin for 'greater' (H0: effect <= -margin)
 * and +margin for 'less' (H0: effect >= margin), the non-inferiority convention of
 * Chow, Shao & Wang, Sample Size Calculations in Clinical Research (2008), section 1.2.
 */
export function nullEffect(alternative: Alternative, margin: number): number {
  if (alternative === 'greater') return -margin;
  if (alternative === 'less') return margin;
  return 0;
}

function sf(x: number, reference: Reference): number {
  return reference.kind === 'normal' ? normalSf(x) : studentTSf(x, reference.df);
}

function cdf(x: number, reference: Reference): number {
  return reference.kind === 'normal' ? normalCdf(x) : studentTCdf(x, reference.df);
}

export function quantile(p: number, reference: Reference): number {
  return reference.kind === 'normal' ? normalQuantile(p) : studentTQuantile(p, reference.df);
}

/**
 * p-value of a standardized statistic: 2 * P(T > |s|) two-sided, P(T > s) for 'greater',
 * P(T < s) for 'less'.
 */
export function pValueOf(statistic: number, alternative: Alternative, reference: Reference): number {
  if (alternative === 'greater') return sf(statistic, reference);
  if (alternative === 'less') return cdf(statistic, reference);
  return Math.min(1, 2 * sf(Math.abs(statistic), reference));
}

/**
 * Interval estimate +- q se with q the 1 - alpha/2 quantile (two-sided) or the one-sided
 * bound with the 1 - alpha quantile: [estimate - q se, null] for 'greater', [null,
 * estimate + q se] for 'less'. This is the interval that inverts the test of pValueOf.
 */
export function intervalOf(estimate: number, se: number, alpha: number, alternative: Alternative, reference: Reference): Interval {
  if (alternative === 'two-sided') {
    const q = quantile(1 - alpha / 2, reference);
    return [estimate - q * se, estimate + q * se];
  }
  const q = quantile(1 - alpha, reference);
  return alternative === 'greater' ? [estimate - q * se, null] : [null, estimate + q * se];
}

export interface Inference {
  /** (estimate - null effect) / se */
  readonly statistic: number;
  readonly pValue: number;
  readonly ci: Interval;
}

/** Wald inference: statistic, p-value and interval for an estimate with standard error se. */
export function waldInference(estimate: number, se: number, config: TestConfig, reference: Reference): Inference {
  const statistic = (estimate - nullEffect(config.alternative, config.margin)) / se;
  return {
    statistic,
    pValue: pValueOf(statistic, config.alternative, reference),
    ci: intervalOf(estimate, se, config.alpha, config.alternative, reference),
  };
}

/** One arm's point estimate and the variance of that estimate (not of the unit values). */
export interface ArmEstimate {
  readonly estimate: number;
  readonly variance: number;
}

export interface Contrast {
  readonly estimate: number;
  readonly variance: number;
  /** the variance contributed by the treatment and by the control arm */
  readonly treatmentComponent: number;
  readonly controlComponent: number;
}

/**
 * Difference of two independent arm estimates.
 * absolute: d = m_t - m_c, Var d = V_t + V_c.
 * relative: d = (m_t - m_c) / |m_c|, and by the delta method (first-order Taylor
 * expansion; Casella & Berger 2002, section 5.5.4; Deng, Knoblich & Lu 2018, section 3)
 * Var d = V_t / m_c^2 + m_t^2 V_c / m_c^4.
 * `ZERO_BASELINE` when the relative lift is asked over a control estimate of zero.
 */
export function contrast(
  control: ArmEstimate,
  treatment: ArmEstimate,
  difference: Difference,
  label: string,
): Contrast | NotEstimable {
  if (difference === 'absolute') {
    return {
      estimate: treatment.estimate - control.estimate,
      variance: treatment.variance + control.variance,
      treatmentComponent: treatment.variance,
      controlComponent: control.variance,
    };
  }
  const mc = control.estimate;
  if (mc === 0) return notEstimable('ZERO_BASELINE', `${label}: the control mean is 0, so a relative lift is undefined`);
  const mt = treatment.estimate;
  const treatmentComponent = treatment.variance / (mc * mc);
  const controlComponent = (mt * mt * control.variance) / (mc * mc * mc * mc);
  return {
    estimate: (mt - mc) / Math.abs(mc),
    variance: treatmentComponent + controlComponent,
    treatmentComponent,
    controlComponent,
  };
}

/**
 * Welch-Satterthwaite degrees of freedom for a variance that is a sum of independent
 * components c_i, each estimated with n_i - 1 degrees of freedom (Satterthwaite 1946;
 * Welch 1947): df = (sum c_i)^2 / sum (c_i^2 / (n_i - 1)).
 */
export function satterthwaiteDf(components: readonly (readonly [component: number, n: number])[]): number {
  let total = 0;
  let denominator = 0;
  for (const [c, n] of components) {
    total += c;
    denominator += (c * c) / (n - 1);
  }
  return (total * total) / denominator;
}
