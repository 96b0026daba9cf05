/**
 * The generator's outcome model as plain numbers per arm: what sql.ts draws from and
 * truth.ts integrates, so the data and its planted truth cannot drift apart. Pure.
 *
 * A user has a latent propensity Z ~ N(0, 1). For each binary outcome of a period (a
 * purchase, a bounce; pre and post) a fresh E ~ N(0, 1) gives the latent
 * L = ρZ + √(1 − ρ²)E ~ N(0, 1), and the outcome happens when L > Φ⁻¹(1 − p): with
 * probability exactly p for every p in [0, 1], so no probability is ever capped (a threshold
 * or probit model). The pre and post latents correlate by ρ², which makes the pre period a
 * CUPED covariate: for conversion ρ² = 0.5 gives a pre/post phi coefficient of 0.25 at
 * p = 0.10 (0.23 at 0.08, 0.30 at 0.20; scipy's bivariate normal cdf); bouncing loads
 * negatively and weakly (ρ² = 0.1: phi 0.06 at p = 0.3, below the CUPED threshold of 0.1).
 *
 * A converting user buys once, or twice with probability REPEAT_PURCHASE_RATE; each order
 * value is lognormal with the arm's mean and sd (the same coefficient of variation in every
 * arm). Treatment arms move the per-user rates and revenue the platform measures:
 *   conversion_t = base_conversion · (1 + effect_lift_conversion)
 *   bounce_t     = base_bounce · (1 + effect_lift_bounce)
 *   revenue per user_t = revenue per user_c · (1 + effect_lift_revenue), so the order value
 *     moves by (1 + effect_lift_revenue) / (1 + effect_lift_conversion).
 */
import { XpError } from '../core/errors.ts';
import type { Experiment, SynthConfig } from '../project/types.ts';

/** Probability that a converting user buys a second time in the same period. */
export const REPEAT_PURCHASE_RATE = 0.2;
/** Loading of the conversion latent on the propensity Z: corr(pre, post latent) = 0.5. */
export const CONVERSION_LOADING = Math.SQRT1_2;
/** Loading of the bounce latent on Z: negative (engaged users bounce less), corr(pre, post latent) = 0.1. */
export const BOUNCE_LOADING = -Math.sqrt(0.1);
/** Spread of the activity factor exp(σZ − σ²/2) that scales page views (mean 1). */
export const ACTIVITY_SIGMA = 0.5;

export interface ArmModel {
  /** P(at least one purchase in a period) */
  readonly conversion: number;
  /** P(a bounce in a period); a user bounces at most once per period */
  readonly bounce: number;
  /** mean order value */
  readonly orderValueMean: number;
}

export interface OutcomeModel {
  readonly control: ArmModel;
  /** every treatment arm gets the same lifts */
  readonly treatment: ArmModel;
  /** σ of log order value: √ln(1 + (sd / mean)²), 0 for a constant order value */
  readonly orderValueSigma: number;
}

function invalid(experiment: Experiment, message: string, hint: string): XpError {
  return new XpError('CONFIG_INVALID', `experiment ${experiment.id}: ${message}`, {
    location: { file: experiment.file, line: experiment.line, experiment: experiment.id },
    hint,
  });
}

function liftedProbability(experiment: Experiment, base: number, lift: number, knob: string): number {
  const p = base * (1 + lift);
  if (!(p >= 0 && p <= 1)) {
    throw invalid(
      experiment,
      `synth base_${knob} ${base} × (1 + effect_lift_${knob} ${lift}) = ${p} is not a probability`,
      `keep base_${knob} · (1 + effect_lift_${knob}) within [0, 1]`,
    );
  }
  return p;
}

export function outcomeModel(experiment: Experiment, synth: SynthConfig): OutcomeModel {
  const conversion = liftedProbability(experiment, synth.base_conversion, synth.effect_lift_conversion, 'conversion');
  const bounce = liftedProbability(experiment, synth.base_bounce, synth.effect_lift_bounce, 'bounce');
  if (synth.effect_lift_revenue < -1) {
    throw invalid(experiment, `synth effect_lift_revenue ${synth.effect_lift_revenue} would make revenue per user negative`, 'set effect_lift_revenue to -1 or more');
  }
  if (synth.revenue_mean === 0 && synth.revenue_sd > 0) {
    throw invalid(experiment, 'synth revenue_sd > 0 needs revenue_mean > 0 (order values are positive)', 'set revenue_mean above 0, or revenue_sd to 0');
  }
  // Order value carries what the conversion lift does not; with no treatment purchases
  // (conversion lifted to 0) order value is moot and stays at the control's.
  const orderValueFactor = conversion > 0 ? (1 + synth.effect_lift_revenue) / (1 + synth.effect_lift_conversion) : 1;
  const cv = synth.revenue_mean > 0 ? synth.revenue_sd / synth.revenue_mean : 0;
  return {
    control: { conversion: synth.base_conversion, bounce: synth.base_bounce, orderValueMean: synth.revenue_mean },
    treatment: { conversion, bounce, orderValueMean: synth.revenue_mean * orderValueFactor },
    orderValueSigma: Math.sqrt(Math.log1p(cv * cv)),
  };
}
