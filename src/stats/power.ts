/**
 * Power analysis for the two-sample z-tests: per-arm sample size for a given effect, and the
 * minimum detectable effect for a given sample size. Normal approximation, one tail of the
 * rejection region (the opposite tail of a two-sided test, below 1e-6 of power at usual
 * settings, is ignored as in statsmodels' `normal_sample_size_one_tail`).
 */
import { normalQuantile } from './distributions.ts';
import { validateAlpha } from './inference.ts';
import { notEstimable, type NotEstimable } from './types.ts';

export interface PowerConfig {
  readonly alpha: number;
  /** probability of rejecting H0 when the effect is as given */
  readonly power: number;
  /** allocation ratio n_treatment / n_control */
  readonly ratio: number;
  /** 2: two-sided test at alpha; 1: one-sided test at alpha in the direction of the effect */
  readonly sided: 1 | 2;
}

export const defaultPowerConfig: PowerConfig = { alpha: 0.05, power: 0.8, ratio: 1, sided: 2 };

export interface SampleSizeOk {
  readonly status: 'ok';
  /** units per arm, rounded up */
  readonly control: number;
  readonly treatment: number;
  readonly total: number;
  /** the unrounded solutions */
  readonly exact: { readonly control: number; readonly treatment: number };
}

export type SampleSizeResult = SampleSizeOk | NotEstimable;

export interface MdeOk {
  readonly status: 'ok';
  /** smallest absolute effect detected with the configured power */
  readonly absolute: number;
  /** the same relative to the baseline (mean or rate); null when no baseline mean was given */
  readonly relative: number | null;
}

export type MdeResult = MdeOk | NotEstimable;

function validatePowerConfig(cfg: PowerConfig, label: string): void {
  validateAlpha(cfg.alpha, label);
  if (!(cfg.power > 0 && cfg.power < 1)) throw new RangeError(`${label}: power=${cfg.power} must be in (0, 1)`);
  if (!(cfg.ratio > 0) || !Number.isFinite(cfg.ratio)) throw new RangeError(`${label}: ratio=${cfg.ratio} must be > 0`);
  if (cfg.sided !== 1 && cfg.sided !== 2) throw new RangeError(`${label}: sided=${String(cfg.sided)} must be 1 or 2`);
}

/** z_(1 - alpha/sided) and z_power. */
function criticalValues(cfg: PowerConfig): readonly [zAlpha: number, zPower: number] {
  return [normalQuantile(1 - cfg.alpha / cfg.sided), normalQuantile(cfg.power)];
}

function sampleSize(controlExact: number, ratio: number): SampleSizeOk {
  const treatmentExact = controlExact * ratio;
  const control = Math.ceil(controlExact - 1e-9);
  const treatment = Math.ceil(treatmentExact - 1e-9);
  return { status: 'ok', control, treatment, total: control + treatment, exact: { control: controlExact, treatment: treatmentExact } };
}

/**
 * Per-arm sample size to detect a difference in means `effect` with per-unit standard
 * deviation `sd` (Chow, Shao & Wang 2008, Sample Size Calculations in Clinical Research, 2nd
 * ed., section 3.2.1, with unequal allocation n_t = r n_c):
 *   n_c = (z_(1-alpha/sided) + z_power)^2 sd^2 (1 + 1/r) / effect^2.
 * Not estimable: ZERO_EFFECT (effect = 0), ZERO_VARIANCE (sd = 0).
 */
export function sampleSizeMeans(input: { readonly sd: number; readonly effect: number }, config: Partial<PowerConfig> = {}): SampleSizeResult {
  const label = 'sampleSizeMeans';
  const cfg: PowerConfig = { ...defaultPowerConfig, ...config };
  validatePowerConfig(cfg, label);
  if (!(input.sd >= 0) || !Number.isFinite(input.sd) || !Number.isFinite(input.effect)) {
    throw new RangeError(`${label}: sd=${input.sd} must be >= 0 and effect=${input.effect} finite`);
  }
  if (input.effect === 0) return notEstimable('ZERO_EFFECT', `${label}: an effect of 0 needs an infinite sample`);
  if (input.sd === 0) return notEstimable('ZERO_VARIANCE', `${label}: sd is 0`);
  const [za, zb] = criticalValues(cfg);
  const controlExact = ((za + zb) ** 2 * input.sd ** 2 * (1 + 1 / cfg.ratio)) / input.effect ** 2;
  return sampleSize(controlExact, cfg.ratio);
}

/**
 * Control-arm size for the pooled z-test of two proportions, p_c = baseline, p_t = p_c + delta,
 * variance under H0 from the pooled rate pbar = (p_c + r p_t) / (1 + r) and under H1 unpooled
 * (Fleiss, Levin & Paik 2003, Statistical Methods for Rates and Proportions, 3rd ed., section
 * 4.2, without continuity correction; statsmodels `samplesize_proportions_2indep_onetail`):
 *   n_c = [z_a sqrt(pbar(1-pbar)(1 + 1/r)) + z_b sqrt(p_c(1-p_c) + p_t(1-p_t)/r)]^2 / delta^2
 */
function proportionControlSize(pc: number, delta: number, cfg: PowerConfig): number {
  const [za, zb] = criticalValues(cfg);
  const r = cfg.ratio;
  const pt = pc + delta;
  const pbar = (pc + r * pt) / (1 + r);
  const sdNull = Math.sqrt(pbar * (1 - pbar) * (1 + 1 / r));
  const sdAlt = Math.sqrt(pc * (1 - pc) + (pt * (1 - pt)) / r);
  return (za * sdNull + zb * sdAlt) ** 2 / (delta * delta);
}

/**
 * Per-arm sample size for a difference in proportions (formula of proportionControlSize):
 * `effect` is p_t - p_c ('absolute') or p_t / p_c - 1 ('relative').
 * Not estimable: ZERO_EFFECT.
 */
export function sampleSizeProportions(
  input: { readonly baseline: number; readonly effect: number; readonly effectType?: 'absolute' | 'relative' },
  config: Partial<PowerConfig> = {},
): SampleSizeResult {
  const label = 'sampleSizeProportions';
  const cfg: PowerConfig = { ...defaultPowerConfig, ...config };
  validatePowerConfig(cfg, label);
  const pc = input.baseline;
  if (!(pc > 0 && pc < 1)) throw new RangeError(`${label}: baseline=${pc} must be in (0, 1)`);
  if (!Number.isFinite(input.effect)) throw new RangeError(`${label}: effect=${input.effect} must be finite`);
  const delta = (input.effectType ?? 'absolute') === 'relative' ? pc * input.effect : input.effect;
  if (delta === 0) return notEstimable('ZERO_EFFECT', `${label}: an effect of 0 needs an infinite sample`);
  const pt = pc + delta;
  if (!(pt > 0 && pt < 1)) throw new RangeError(`${label}: baseline + effect = ${pt} is not a rate in (0, 1)`);
  return sampleSize(proportionControlSize(pc, delta, cfg), cfg.ratio);
}

export type MdeInput =
  | { readonly metric: 'mean'; readonly sd: number; readonly controlN: number; readonly mean?: number }
  | { readonly metric: 'proportion'; readonly baseline: number; readonly controlN: number };

/**
 * Minimum detectable effect with controlN control units and ratio * controlN treatment units.
 *   mean: mde = (z_(1-alpha/sided) + z_power) sd sqrt(1/n_c + 1/(r n_c)) (the inverse of
 *     sampleSizeMeans); relative = mde / |mean| when a baseline mean is given.
 *   proportion: the upward difference delta in (0, 1 - p_c) that solves
 *     proportionControlSize(p_c, delta) = n_c (bisection); relative = delta / p_c.
 * A mean metric without a (nonzero) baseline mean gets relative = null.
 * Not estimable: ZERO_VARIANCE (sd = 0), INSUFFICIENT_DATA (no rate below 1 is detectable with
 * this sample).
 */
export function minimumDetectableEffect(input: MdeInput, config: Partial<PowerConfig> = {}): MdeResult {
  const label = 'minimumDetectableEffect';
  const cfg: PowerConfig = { ...defaultPowerConfig, ...config };
  validatePowerConfig(cfg, label);
  if (!(input.controlN > 0) || !Number.isFinite(input.controlN)) throw new RangeError(`${label}: controlN=${input.controlN} must be > 0`);
  const nc = input.controlN;
  if (input.metric === 'mean') {
    if (!(input.sd >= 0) || !Number.isFinite(input.sd)) throw new RangeError(`${label}: sd=${input.sd} must be >= 0`);
    if (input.sd === 0) return notEstimable('ZERO_VARIANCE', `${label}: sd is 0`);
    const [za, zb] = criticalValues(cfg);
    const absolute = (za + zb) * input.sd * Math.sqrt(1 / nc + 1 / (cfg.ratio * nc));
    const relative = input.mean === undefined || input.mean === 0 ? null : absolute / Math.abs(input.mean);
    return { status: 'ok', absolute, relative };
  }
  const pc = input.baseline;
  if (!(pc > 0 && pc < 1)) throw new RangeError(`${label}: baseline=${pc} must be in (0, 1)`);
  let lo = 0;
  let hi = 1 - pc;
  if (proportionControlSize(pc, hi * (1 - 1e-12), cfg) > nc) {
    return notEstimable('INSUFFICIENT_DATA', `${label}: with ${nc} control units not even a rate of 1 is detectable`);
  }
  for (let i = 0; i < 200 && hi - lo > 1e-15 * (1 - pc); i++) {
    const mid = (lo + hi) / 2;
    if (proportionControlSize(pc, mid, cfg) > nc) lo = mid;
    else hi = mid;
  }
  return { status: 'ok', absolute: hi, relative: hi / pc };
}
