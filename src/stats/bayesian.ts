/**
 * Bayesian comparison with a Gaussian posterior on the effect: the large-sample likelihood of
 * the estimated difference (or lift) is normal, and with a flat or normal prior on the effect
 * the posterior is normal in closed form. Reports the chance to beat control, a credible
 * interval and the expected loss of each decision.
 */
import { normalCdf, normalPdf, normalQuantile } from './distributions.ts';
import { contrast, validateAlpha } from './inference.ts';
import { armMoments } from './moments.ts';
import { isNotEstimable, notEstimable, type Difference, type Interval, type MeanStats, type NotEstimable } from './types.ts';

export type EffectPrior =
  | { readonly kind: 'flat' }
  /** normal prior on the effect (in the units of `difference`) */
  | { readonly kind: 'normal'; readonly mean: number; readonly variance: number };

export interface BayesianConfig {
  /** the credible interval has probability 1 - alpha */
  readonly alpha: number;
  readonly difference: Difference;
  readonly prior: EffectPrior;
}

export const defaultBayesianConfig: BayesianConfig = { alpha: 0.05, difference: 'absolute', prior: { kind: 'flat' } };

export interface ExpectedLoss {
  /** E[max(0, -effect)]: what is lost on average by shipping the treatment */
  readonly treatment: number;
  /** E[max(0, effect)]: what is lost on average by keeping the control */
  readonly control: number;
}

export interface BayesianOk {
  readonly status: 'ok';
  /** posterior mean of the effect */
  readonly estimate: number;
  readonly posteriorSd: number;
  /** equal-tailed credible interval */
  readonly ci: Interval;
  /** P(effect > 0 | data) */
  readonly chanceToBeatControl: number;
  readonly expectedLoss: ExpectedLoss;
  readonly controlMean: number;
  readonly treatmentMean: number;
}

export type BayesianResult = BayesianOk | NotEstimable;

/**
 * Expected loss of a normal effect D ~ N(mu, sigma^2):
 *   E[max(0, -D)] = sigma phi(mu/sigma) - mu Phi(-mu/sigma)
 *   E[max(0,  D)] = sigma phi(mu/sigma) + mu Phi(mu/sigma)
 * (the partial expectation of a normal, e.g. Winkler, Roodman & Britney 1972, Management
 * Science 19:290; used as "risk" by Stucchio 2015, "Bayesian A/B Testing at VWO", section 5).
 */
export function normalExpectedLoss(mu: number, sigma: number): ExpectedLoss {
  const u = mu / sigma;
  const density = sigma * normalPdf(u);
  return { treatment: density - mu * normalCdf(-u), control: density + mu * normalCdf(u) };
}

/**
 * Posterior of an effect d with a normal likelihood dhat ~ N(d, s2):
 *   flat prior: N(dhat, s2)
 *   prior N(m0, v0): precision 1/s2 + 1/v0, mean (dhat/s2 + m0/v0) / precision
 * (conjugate normal update with known variance; Gelman et al. 2013, Bayesian Data Analysis
 * 3rd ed., section 2.5, eq. 2.12; gbstats' EffectBayesianABTest does the same update).
 */
export function normalPosterior(estimate: number, variance: number, prior: EffectPrior): { readonly mean: number; readonly variance: number } {
  if (prior.kind === 'flat') return { mean: estimate, variance };
  const precision = 1 / variance + 1 / prior.variance;
  return { mean: (estimate / variance + prior.mean / prior.variance) / precision, variance: 1 / precision };
}

/**
 * Gaussian Bayesian test on mean metrics (binary metrics: pass { n, sum: successes,
 * sumSquares: successes }).
 *   likelihood: dhat ~ N(d, s^2), with dhat and s^2 those of welchTest (absolute difference, or
 *     relative lift with the delta-method variance)
 *   prior flat: posterior N(dhat, s^2)
 *   prior N(m0, v0): posterior precision 1/s^2 + 1/v0, mean (dhat/s^2 + m0/v0) / precision
 *     (conjugate normal update with known variance; Gelman et al. 2013, Bayesian Data
 *     Analysis 3rd ed., section 2.5, eq. 2.12)
 *   chanceToBeatControl = Phi(mu/sigma); credible interval mu +- z_(1-alpha/2) sigma;
 *   expected loss as in normalExpectedLoss.
 * Not estimable: EMPTY_VARIANT, INSUFFICIENT_DATA (n = 1), ZERO_VARIANCE (s = 0),
 * ZERO_BASELINE (relative lift over a control mean of 0).
 */
export function bayesianTest(control: MeanStats, treatment: MeanStats, config: Partial<BayesianConfig> = {}): BayesianResult {
  const label = 'bayesianTest';
  const cfg: BayesianConfig = { ...defaultBayesianConfig, ...config };
  validateAlpha(cfg.alpha, label);
  if (cfg.prior.kind === 'normal' && (!(cfg.prior.variance > 0) || !Number.isFinite(cfg.prior.mean))) {
    throw new RangeError(`${label}: a normal prior needs a finite mean and a variance > 0`);
  }
  const c = armMoments(control, `${label}: control`);
  if (isNotEstimable(c)) return c;
  const t = armMoments(treatment, `${label}: treatment`);
  if (isNotEstimable(t)) return t;
  const diff = contrast(
    { estimate: c.mean, variance: c.variance / c.n },
    { estimate: t.mean, variance: t.variance / t.n },
    cfg.difference,
    label,
  );
  if (isNotEstimable(diff)) return diff;
  if (!(diff.variance > 0)) return notEstimable('ZERO_VARIANCE', `${label}: both arms have zero variance`);
  const { mean, variance } = normalPosterior(diff.estimate, diff.variance, cfg.prior);
  const sd = Math.sqrt(variance);
  const z = normalQuantile(1 - cfg.alpha / 2);
  return {
    status: 'ok',
    estimate: mean,
    posteriorSd: sd,
    ci: [mean - z * sd, mean + z * sd],
    chanceToBeatControl: normalCdf(mean / sd),
    expectedLoss: normalExpectedLoss(mean, sd),
    controlMean: c.mean,
    treatmentMean: t.mean,
  };
}
