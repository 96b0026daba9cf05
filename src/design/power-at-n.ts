/**
 * Power at a given sample: the inverse of the sample-size functions of src/stats/power.ts,
 * with the same normal approximations, so the power at the sample they return is the power
 * asked for. One tail of the rejection region, as there (the far tail of a two-sided test
 * adds under 1e-6 at usual settings). `varianceFactor` scales the variance of the estimator
 * relative to the raw difference: 1 − ρ² for CUPED (Deng, Xu, Kohavi & Walker 2013, eq. 5).
 */
import { normalCdf, normalQuantile, sampleSizeMeans, type SampleSizeResult } from '../stats/index.ts';
import { notEstimable, type NotEstimable } from '../stats/types.ts';

export interface PowerOk {
  readonly status: 'ok';
  /** probability of rejecting H0 under the alternative, in (0, 1) */
  readonly power: number;
}

export type PowerResult = PowerOk | NotEstimable;

export interface PowerAtNConfig {
  readonly alpha: number;
  /** 2: two-sided at alpha; 1: one-sided at alpha in the direction of the effect */
  readonly sided: 1 | 2;
  /** allocation n_treatment / n_control */
  readonly ratio: number;
}

export const defaultPowerAtNConfig: PowerAtNConfig = { alpha: 0.05, sided: 2, ratio: 1 };

function validate(cfg: PowerAtNConfig, controlN: number, varianceFactor: number, label: string): void {
  if (!(cfg.alpha > 0 && cfg.alpha < 1)) throw new RangeError(`${label}: alpha=${cfg.alpha} must be in (0, 1)`);
  if (cfg.sided !== 1 && cfg.sided !== 2) throw new RangeError(`${label}: sided=${String(cfg.sided)} must be 1 or 2`);
  if (!(cfg.ratio > 0) || !Number.isFinite(cfg.ratio)) throw new RangeError(`${label}: ratio=${cfg.ratio} must be > 0`);
  if (!(controlN > 0) || !Number.isFinite(controlN)) throw new RangeError(`${label}: controlN=${controlN} must be > 0`);
  if (!(varianceFactor > 0 && varianceFactor <= 1)) throw new RangeError(`${label}: varianceFactor=${varianceFactor} must be in (0, 1]`);
}

/**
 * Two-sample z-test of a difference in means `effect` with per-unit standard deviation `sd`
 * (Chow, Shao & Wang 2008, Sample Size Calculations in Clinical Research, 2nd ed., 3.2.1;
 * solved for the power):
 *   power = Φ(|δ| / se − z_(1−α/sided)),  se = sd · sqrt(f · (1/n_c + 1/(r n_c))).
 * Not estimable: ZERO_EFFECT (δ = 0), ZERO_VARIANCE (sd = 0).
 */
export function powerMeans(
  input: { readonly sd: number; readonly effect: number; readonly controlN: number; readonly varianceFactor?: number },
  config: Partial<PowerAtNConfig> = {},
): PowerResult {
  const label = 'powerMeans';
  const cfg: PowerAtNConfig = { ...defaultPowerAtNConfig, ...config };
  const f = input.varianceFactor ?? 1;
  validate(cfg, input.controlN, f, label);
  if (!(input.sd >= 0) || !Number.isFinite(input.sd) || !Number.isFinite(input.effect)) {
    throw new RangeError(`${label}: sd=${input.sd} must be >= 0 and effect=${input.effect} finite`);
  }
  if (input.effect === 0) return notEstimable('ZERO_EFFECT', `${label}: the power against an effect of 0 is alpha`);
  if (input.sd === 0) return notEstimable('ZERO_VARIANCE', `${label}: sd is 0`);
  const se = input.sd * Math.sqrt(f * (1 / input.controlN + 1 / (cfg.ratio * input.controlN)));
  return { status: 'ok', power: normalCdf(Math.abs(input.effect) / se - normalQuantile(1 - cfg.alpha / cfg.sided)) };
}

/**
 * Pooled z-test of two proportions p_c = baseline, p_t = p_c + δ: variance under H0 from
 * pbar = (p_c + r p_t) / (1 + r), under H1 unpooled (Fleiss, Levin & Paik 2003, Statistical
 * Methods for Rates and Proportions, 3rd ed., 4.2, without continuity correction; the inverse
 * of stats/power.ts proportionControlSize):
 *   power = Φ((|δ| sqrt(n_c / f) − z_(1−α/sided) σ_0) / σ_1),
 *   σ_0 = sqrt(pbar (1 − pbar) (1 + 1/r)),  σ_1 = sqrt(p_c (1 − p_c) + p_t (1 − p_t) / r).
 * With σ_0 = σ_1 this is Φ(|δ| / se − z) with se from p(1 − p).
 * Not estimable: ZERO_EFFECT. A rate outside (0, 1) throws.
 */
export function powerProportions(
  input: { readonly baseline: number; readonly effect: number; readonly controlN: number; readonly varianceFactor?: number },
  config: Partial<PowerAtNConfig> = {},
): PowerResult {
  const label = 'powerProportions';
  const cfg: PowerAtNConfig = { ...defaultPowerAtNConfig, ...config };
  const f = input.varianceFactor ?? 1;
  validate(cfg, input.controlN, f, label);
  const pc = input.baseline;
  const pt = pc + input.effect;
  if (!(pc > 0 && pc < 1)) throw new RangeError(`${label}: baseline=${pc} must be in (0, 1)`);
  if (!(pt > 0 && pt < 1)) throw new RangeError(`${label}: baseline + effect = ${pt} is not a rate in (0, 1)`);
  if (input.effect === 0) return notEstimable('ZERO_EFFECT', `${label}: the power against an effect of 0 is alpha`);
  const r = cfg.ratio;
  const pbar = (pc + r * pt) / (1 + r);
  const sdNull = Math.sqrt(pbar * (1 - pbar) * (1 + 1 / r));
  const sdAlt = Math.sqrt(pc * (1 - pc) + (pt * (1 - pt)) / r);
  const z = (Math.abs(input.effect) * Math.sqrt(input.controlN / f) - normalQuantile(1 - cfg.alpha / cfg.sided) * sdNull) / sdAlt;
  return { status: 'ok', power: normalCdf(z) };
}

/** A guardrail's non-inferiority design: relative margin m on a metric with mean μ and per-unit sd σ. */
export interface NonInferiorityInput {
  readonly mean: number;
  readonly sd: number;
  /** the relative margin m > 0 (the largest acceptable harm) */
  readonly margin: number;
  readonly varianceFactor?: number;
}

function nonInferiorityScale(input: NonInferiorityInput, label: string): { effect: number; sd: number } | NotEstimable {
  if (![input.mean, input.sd, input.margin].every(Number.isFinite) || input.sd < 0 || input.margin < 0) {
    throw new RangeError(`${label}: mean=${input.mean}, sd=${input.sd} >= 0 and margin=${input.margin} >= 0 must be finite`);
  }
  if (input.margin === 0) return notEstimable('ZERO_EFFECT', `${label}: a margin of 0 cannot be shown with any sample`);
  if (input.mean === 0) return notEstimable('ZERO_BASELINE', `${label}: a relative margin of a mean of 0 is 0`);
  if (input.sd === 0) return notEstimable('ZERO_VARIANCE', `${label}: sd is 0`);
  return { effect: input.margin * Math.abs(input.mean), sd: input.sd * Math.sqrt(input.varianceFactor ?? 1) };
}

/**
 * Power to show non-inferiority at the relative margin m, one-sided at α, when the true
 * effect is 0 (Chow, Shao & Wang 2008, 3.2.2; the delta-method se of the relative lift at
 * zero effect is se / |μ|, so the margin is m|μ| on the absolute scale):
 *   power = Φ(m |μ| / se − z_(1−α)),  se = σ sqrt(f · 2 / n)  (equal arms).
 * Not estimable: ZERO_EFFECT (m = 0), ZERO_BASELINE (μ = 0), ZERO_VARIANCE (σ = 0).
 */
export function powerNonInferiority(input: NonInferiorityInput & { readonly nPerArm: number }, config: { readonly alpha: number }): PowerResult {
  const label = 'powerNonInferiority';
  const s = nonInferiorityScale(input, label);
  if ('status' in s) return s;
  return powerMeans({ sd: s.sd, effect: s.effect, controlN: input.nPerArm }, { alpha: config.alpha, sided: 1, ratio: 1 });
}

/**
 * Users per arm to show non-inferiority at m with the given power when the true effect is 0:
 *   n = (z_(1−α) + z_power)² · 2 σ² f / (m μ)²
 * (stats/power.ts sampleSizeMeans, one-sided; the same n as analysis_results.ni_n_per_arm).
 */
export function sampleSizeNonInferiority(input: NonInferiorityInput, config: { readonly alpha: number; readonly power: number }): SampleSizeResult {
  const s = nonInferiorityScale(input, 'sampleSizeNonInferiority');
  if ('status' in s) return s;
  return sampleSizeMeans({ sd: s.sd, effect: s.effect }, { alpha: config.alpha, power: config.power, sided: 1, ratio: 1 });
}
