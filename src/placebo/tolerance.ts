/**
 * The tolerances of a placebo calibration: what K null replicates may show when the
 * analysis is calibrated. Pure; the quantiles come from src/stats.
 */
import { chiSquareCdf } from '../stats/distributions.ts';
import { logGamma } from '../stats/special-functions.ts';

export type Interval = readonly [lower: number, upper: number];

export { wilsonInterval } from '../stats/proportions.ts';

/** P(X = x) for X ~ Binomial(n, p), 0 < p < 1, through log Γ. */
function binomialPmf(x: number, n: number, p: number): number {
  return Math.exp(logGamma(n + 1) - logGamma(x + 1) - logGamma(n - x + 1) + x * Math.log(p) + (n - x) * Math.log1p(-p));
}

/**
 * The central `level` band of X ~ Binomial(n, p) as counts [lo, hi]: the largest lo with
 * P(X < lo) <= (1 − level)/2 and the smallest hi with P(X > hi) <= (1 − level)/2, so a
 * calibrated test's false-positive count falls outside with probability at most 1 − level.
 */
export function binomialBand(n: number, p: number, level = 0.99): Interval {
  if (!(Number.isInteger(n) && n > 0) || !(p > 0 && p < 1)) throw new RangeError(`binomialBand: n=${n}, p=${p}`);
  const tail = (1 - level) / 2;
  const pmf = Array.from({ length: n + 1 }, (_, x) => binomialPmf(x, n, p));
  let lo = 0;
  for (let below = 0; lo < n && below + pmf[lo]! <= tail; lo++) below += pmf[lo]!;
  let hi = n;
  for (let above = 0; hi > 0 && above + pmf[hi]! <= tail; hi--) above += pmf[hi]!;
  return [lo, hi];
}

/** The p-quantile of chi-square(df), by bisection on its cdf (monotone; 200 halvings reach double precision). */
export function chiSquareQuantile(p: number, df: number): number {
  if (!(p > 0 && p < 1) || !(df > 0)) throw new RangeError(`chiSquareQuantile: p=${p}, df=${df}`);
  let lo = 0;
  let hi = Math.max(1, df);
  while (chiSquareCdf(hi, df) < p) hi *= 2;
  for (let i = 0; i < 200 && hi - lo > 1e-12 * hi; i++) {
    const mid = (lo + hi) / 2;
    if (chiSquareCdf(mid, df) < p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/**
 * The central `level` band of the sample variance of m independent N(0, 1) values:
 * (m − 1) s² ~ chi-square(m − 1) (Cochran's theorem), so s² in
 * [χ²_((1−level)/2, m−1), χ²_((1+level)/2, m−1)] / (m − 1).
 */
export function varianceBand(m: number, level = 0.99): Interval {
  if (!(Number.isInteger(m) && m >= 2)) throw new RangeError(`varianceBand: ${m} values`);
  const df = m - 1;
  return [chiSquareQuantile((1 - level) / 2, df) / df, chiSquareQuantile((1 + level) / 2, df) / df];
}
