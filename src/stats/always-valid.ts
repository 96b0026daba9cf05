/**
 * Always-valid inference for continuous monitoring: the normal-mixture sequential
 * probability ratio test (mSPRT) and its confidence sequence. Its p-value and interval stay
 * valid however often, and whenever, one looks and stops; the price is a wider interval than
 * a fixed-horizon test at its planned sample size.
 */
import { validateAlpha } from './inference.ts';
import { notEstimable, type Interval, type NotEstimable } from './types.ts';

/** The estimate of the effect at one look, with its standard error and the units seen so far. */
export interface AlwaysValidLook {
  /** units observed by this look (any consistent count, e.g. both arms together) */
  readonly n: number;
  readonly estimate: number;
  readonly se: number;
}

/**
 * Tuning of the mixture. `tau2`: variance of the normal mixing distribution of the effect,
 * in squared effect units (Johari et al.'s tau^2). `targetN`: the number of units (same count
 * as AlwaysValidLook.n) at which the confidence sequence should be narrowest; the mixture
 * then scales with the estimate's variance (Waudby-Smith et al.'s rho).
 */
export type MixtureTuning = { readonly tau2: number } | { readonly targetN: number };

export interface AlwaysValidConfig {
  readonly alpha: number;
  /** effect under the null hypothesis */
  readonly nullValue: number;
  readonly mixture: MixtureTuning;
}

export const defaultAlwaysValidConfig: Omit<AlwaysValidConfig, 'mixture'> = { alpha: 0.05, nullValue: 0 };

export interface AlwaysValidOk {
  readonly status: 'ok';
  /** always-valid p-value: the running minimum of the per-look mixture p-values */
  readonly pValue: number;
  /** running intersection of the confidence sequence up to the last look */
  readonly ci: Interval;
  /** the last look's estimate */
  readonly estimate: number;
  /** per-look mixture p-values 1 / Lambda_k (capped at 1) */
  readonly lookPValues: readonly number[];
  /** per-look confidence-sequence intervals, before intersection */
  readonly confidenceSequence: readonly Interval[];
  /** the mixture variance tau^2 used at the last look */
  readonly tau2: number;
}

export type AlwaysValidResult = AlwaysValidOk | NotEstimable;

/**
 * Ratio r = tau^2 / V that minimizes the confidence-sequence width at a given variance V:
 * the width is V (1 + 1/r)(2 ln(1/alpha) + ln(1 + r)), stationary where
 * r = 2 ln(1/alpha) + ln(1 + r), solved by fixed-point iteration. (Waudby-Smith, Arbour,
 * Sinha, Kennedy & Ramdas 2024, "Time-uniform central limit theory and asymptotic confidence
 * sequences", Annals of Statistics, use the one-step approximation r = 2 ln(1/alpha) + ln(1 + 2 ln(1/alpha)).)
 */
export function optimalMixtureRatio(alpha: number): number {
  validateAlpha(alpha, 'optimalMixtureRatio');
  const twoLog = 2 * Math.log(1 / alpha);
  let r = twoLog;
  for (let i = 0; i < 200; i++) {
    const next = twoLog + Math.log1p(r);
    if (Math.abs(next - r) < 1e-14 * next) return next;
    r = next;
  }
  return r;
}

/**
 * Normal-mixture SPRT (Robbins 1970; Johari, Koomen, Pekelis & Walsh 2022, "Always Valid
 * Inference: Continuous Monitoring of A/B Tests", Operations Research 70(3), section 4 with a
 * normal mixing distribution; Howard, Ramdas, McAuliffe & Sekhon 2021, Annals of Statistics
 * 49(2), section 3.5, two-sided normal mixture). With estimate theta_k, variance V_k = se_k^2,
 * z_k = (theta_k - theta_0) / se_k and r_k = tau^2 / V_k:
 *   Lambda_k = (1 + r_k)^(-1/2) exp( r_k / (1 + r_k) * z_k^2 / 2 )
 *   p_k = min(1, 1 / Lambda_k), and the always-valid p-value is min_(j <= k) p_j (Ville's inequality)
 *   CS_k = theta_k +- se_k sqrt( (1 + r_k) / r_k * (2 ln(1/alpha) + ln(1 + r_k)) )
 * With tuning targetN the mixture is tau^2 = r* V_k n_k / targetN, i.e. r_k = r* n_k / targetN with
 * r* = optimalMixtureRatio(alpha); this is the asymptotic confidence sequence of Waudby-Smith
 * et al. 2024 (Theorem 2.2) with rho^2 = r* / targetN, valid as n grows with a consistent se.
 * Exact for Gaussian increments with known variance; asymptotic otherwise.
 * Not estimable: INSUFFICIENT_DATA (no looks), ZERO_VARIANCE (a look with se = 0),
 * EMPTY_CONFIDENCE_SEQUENCE (the intervals of different looks do not overlap: the effect is
 * not stable over time, e.g. a novelty effect).
 */
export function alwaysValidTest(
  looks: readonly AlwaysValidLook[],
  config: Partial<Omit<AlwaysValidConfig, 'mixture'>> & Pick<AlwaysValidConfig, 'mixture'>,
): AlwaysValidResult {
  const label = 'alwaysValidTest';
  const cfg: AlwaysValidConfig = { ...defaultAlwaysValidConfig, ...config };
  validateAlpha(cfg.alpha, label);
  if (!Number.isFinite(cfg.nullValue)) throw new RangeError(`${label}: nullValue=${cfg.nullValue} must be finite`);
  const mixture = cfg.mixture;
  if ('tau2' in mixture) {
    if (!(mixture.tau2 > 0) || !Number.isFinite(mixture.tau2)) throw new RangeError(`${label}: tau2=${mixture.tau2} must be > 0`);
  } else if (!(mixture.targetN > 0) || !Number.isFinite(mixture.targetN)) {
    throw new RangeError(`${label}: targetN=${mixture.targetN} must be > 0`);
  }
  if (looks.length === 0) return notEstimable('INSUFFICIENT_DATA', `${label}: no looks yet`);
  const optimalRatio = optimalMixtureRatio(cfg.alpha);
  const logInvAlpha2 = 2 * Math.log(1 / cfg.alpha);

  const lookPValues: number[] = [];
  const confidenceSequence: Interval[] = [];
  let lower = Number.NEGATIVE_INFINITY;
  let upper = Number.POSITIVE_INFINITY;
  let pValue = 1;
  let tau2 = 0;
  for (const [k, look] of looks.entries()) {
    if (!Number.isFinite(look.estimate) || !Number.isFinite(look.se) || look.se < 0) {
      throw new RangeError(`${label}: look ${k} has estimate=${look.estimate}, se=${look.se}`);
    }
    if (look.se === 0) return notEstimable('ZERO_VARIANCE', `${label}: look ${k} has a standard error of 0`);
    const variance = look.se * look.se;
    let r: number;
    if ('tau2' in mixture) {
      r = mixture.tau2 / variance;
    } else {
      if (!(look.n > 0)) throw new RangeError(`${label}: look ${k} has n=${look.n}; targetN tuning needs n > 0`);
      r = (optimalRatio * look.n) / mixture.targetN;
    }
    tau2 = r * variance;
    const z = (look.estimate - cfg.nullValue) / look.se;
    const logLambda = -0.5 * Math.log1p(r) + (r / (1 + r)) * (z * z) / 2;
    const p = logLambda > 0 ? Math.exp(-logLambda) : 1;
    lookPValues.push(p);
    pValue = Math.min(pValue, p);
    const half = look.se * Math.sqrt(((1 + r) / r) * (logInvAlpha2 + Math.log1p(r)));
    confidenceSequence.push([look.estimate - half, look.estimate + half]);
    lower = Math.max(lower, look.estimate - half);
    upper = Math.min(upper, look.estimate + half);
  }
  if (lower > upper) {
    return notEstimable('EMPTY_CONFIDENCE_SEQUENCE', `${label}: the confidence intervals of different looks do not overlap; the effect is not stable over time`);
  }
  const last = looks[looks.length - 1] as AlwaysValidLook;
  return { status: 'ok', pValue, ci: [lower, upper], estimate: last.estimate, lookPValues, confidenceSequence, tau2 };
}
