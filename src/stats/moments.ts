/**
 * Means and variances from sufficient statistics (n, sum, sum of squares, sum of
 * cross-products), with the guards every test needs: an empty arm, a single unit, and the
 * rounding noise that makes a constant metric look like it has a tiny variance.
 */
import { notEstimable, type MeanStats, type NotEstimable } from './types.ts';

/**
 * Relative tolerance below which a centred sum of squares counts as zero. Computing
 * sum(y^2) - (sum y)^2 / n in double precision leaves an error of order 1e-16 * sum(y^2);
 * anything within 1e-12 of sum(y^2) is rounding, not signal.
 */
const CANCELLATION_TOLERANCE = 1e-12;

export function assertCount(n: number, label: string): void {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`${label}: n=${n} must be a non-negative integer`);
}

export function assertFinite(values: Readonly<Record<string, number>>, label: string): void {
  for (const [key, value] of Object.entries(values)) {
    if (!Number.isFinite(value)) throw new RangeError(`${label}: ${key}=${value} must be finite`);
  }
}

/**
 * Unbiased sample covariance from sums: (sum xy - sum x sum y / n) / (n - 1)
 * (the computational formula, e.g. Casella & Berger 2002, ex. 5.16). A result within
 * rounding of zero is returned as exactly zero; a clearly negative variance throws.
 */
export function sampleCovariance(n: number, sumX: number, sumY: number, sumXY: number, scale: number): number {
  const centred = sumXY - (sumX * sumY) / n;
  if (Math.abs(centred) <= CANCELLATION_TOLERANCE * scale) return 0;
  return centred / (n - 1);
}

/**
 * Unbiased sample variance from n, sum and sum of squares. `scale` is the magnitude of the
 * sums the sum of squares was computed from (by default |sumSquares| itself), against which
 * rounding is judged.
 */
export function sampleVariance(n: number, sum: number, sumSquares: number, label: string, scale = Math.abs(sumSquares)): number {
  const variance = sampleCovariance(n, sum, sum, sumSquares, scale);
  if (variance < 0) {
    throw new RangeError(`${label}: sumSquares=${sumSquares} is smaller than sum^2/n; the statistics are inconsistent`);
  }
  return variance;
}

export interface ArmMoments {
  readonly n: number;
  readonly mean: number;
  /** unbiased sample variance of the unit values */
  readonly variance: number;
}

/**
 * Mean and unbiased variance of one arm; `EMPTY_VARIANT` for n = 0 and `INSUFFICIENT_DATA`
 * for n = 1 (no variance can be estimated from one unit).
 */
export function armMoments(stats: MeanStats, label: string, scale = Math.abs(stats.sumSquares)): ArmMoments | NotEstimable {
  assertCount(stats.n, label);
  assertFinite({ sum: stats.sum, sumSquares: stats.sumSquares }, label);
  if (stats.n === 0) return notEstimable('EMPTY_VARIANT', `${label} has no units`);
  if (stats.n === 1) return notEstimable('INSUFFICIENT_DATA', `${label} has a single unit; its variance is not estimable`);
  return { n: stats.n, mean: stats.sum / stats.n, variance: sampleVariance(stats.n, stats.sum, stats.sumSquares, label, scale) };
}
