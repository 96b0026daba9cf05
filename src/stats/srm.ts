/**
 * Sample-ratio mismatch check: are the observed arm sizes consistent with the designed
 * allocation? A mismatch means the assignment or the logging is broken and the experiment's
 * results are not trustworthy (Fabijan et al. 2019, "Diagnosing Sample Ratio Mismatch in
 * Online Controlled Experiments", KDD; Kohavi, Tang & Xu 2020, chapter 21).
 */
import { chiSquareSf } from './distributions.ts';
import { assertCount } from './moments.ts';
import { notEstimable, type NotEstimable } from './types.ts';

export interface SrmConfig {
  /** flag a mismatch when the p-value is below this (the strict 0.001 of Fabijan et al.) */
  readonly threshold: number;
}

export const defaultSrmConfig: SrmConfig = { threshold: 0.001 };

export interface SrmOk {
  readonly status: 'ok';
  readonly chi2: number;
  readonly df: number;
  readonly pValue: number;
  readonly mismatch: boolean;
  /** expected count per arm, N * share */
  readonly expected: readonly number[];
}

export type SrmResult = SrmOk | NotEstimable;

/**
 * Pearson's chi-square goodness-of-fit test (Pearson 1900; Agresti 2013, Categorical Data
 * Analysis, section 1.5.2): chi2 = sum_i (O_i - E_i)^2 / E_i with E_i = N * share_i,
 * df = k - 1, p = P(chi2_(k-1) > chi2). The shares are normalized to sum to 1, so weights
 * such as [50, 50] or [1, 1, 2] are accepted.
 * Not estimable: INSUFFICIENT_DATA when no unit was observed at all.
 */
export function srmTest(observed: readonly number[], expectedShares: readonly number[], config: Partial<SrmConfig> = {}): SrmResult {
  const label = 'srmTest';
  const cfg: SrmConfig = { ...defaultSrmConfig, ...config };
  if (!(cfg.threshold > 0 && cfg.threshold < 1)) throw new RangeError(`${label}: threshold=${cfg.threshold} must be in (0, 1)`);
  if (observed.length !== expectedShares.length) {
    throw new RangeError(`${label}: ${observed.length} observed counts but ${expectedShares.length} expected shares`);
  }
  if (observed.length < 2) throw new RangeError(`${label}: needs at least two arms`);
  observed.forEach((count, i) => assertCount(count, `${label}: observed[${i}]`));
  const shareTotal = expectedShares.reduce((sum, share, i) => {
    if (!(share > 0) || !Number.isFinite(share)) throw new RangeError(`${label}: expectedShares[${i}]=${share} must be > 0`);
    return sum + share;
  }, 0);
  const total = observed.reduce((sum, count) => sum + count, 0);
  if (total === 0) return notEstimable('INSUFFICIENT_DATA', `${label}: no units were observed`);
  const expected = expectedShares.map((share) => (total * share) / shareTotal);
  let chi2 = 0;
  observed.forEach((count, i) => {
    const e = expected[i] as number;
    chi2 += ((count - e) * (count - e)) / e;
  });
  const df = observed.length - 1;
  const pValue = chiSquareSf(chi2, df);
  return { status: 'ok', chi2, df, pValue, mismatch: pValue < cfg.threshold, expected };
}
