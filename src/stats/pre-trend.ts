/**
 * Pre-trend diagnostics for difference-in-differences: before the treatment starts, the
 * daily treatment - control deltas should be flat and zero (parallel trends).
 */
import { chiSquareSf } from './distributions.ts';
import { intervalOf, NORMAL, pValueOf, validateAlpha } from './inference.ts';
import { notEstimable, type Interval, type NotEstimable } from './types.ts';

/** One pre-period day: its offset from the start (negative integer), the delta and its se. */
export interface PreTrendDay {
  readonly day: number;
  /** treatment - control difference of the metric on that day */
  readonly delta: number;
  readonly se: number;
}

export interface PreTrendConfig {
  readonly alpha: number;
  /** fewer pre-period days than this is INSUFFICIENT_DATA (at least 2 for a slope) */
  readonly minDays: number;
}

export const defaultPreTrendConfig: PreTrendConfig = { alpha: 0.05, minDays: 3 };

export interface PreTrendOk {
  readonly status: 'ok';
  /** WLS slope of delta on day (per day), with known variances */
  readonly slope: {
    readonly estimate: number;
    readonly se: number;
    readonly ci: Interval;
    readonly pValue: number;
  };
  /** Wald test that every lead is zero */
  readonly joint: {
    readonly chi2: number;
    readonly df: number;
    readonly pValue: number;
  };
  readonly days: number;
}

export type PreTrendResult = PreTrendOk | NotEstimable;

/**
 * (a) Slope test: weighted least squares of delta_d on day d with weights w_d = 1/se_d^2 and
 *     the variances taken as known (Draper & Smith 1998, Applied Regression Analysis, section 9.2):
 *     b = sum w (x - xbar_w)(y - ybar_w) / sum w (x - xbar_w)^2, se(b) = 1 / sqrt(sum w (x - xbar_w)^2),
 *     two-sided z-test of b = 0 and a 1 - alpha interval.
 * (b) Joint test that all K leads are zero: Wald chi2 = sum (delta_d / se_d)^2 on K degrees of
 *     freedom (the event-study pre-trend F/Wald test, e.g. Roth 2022, AER: Insights 4:305, with a
 *     diagonal covariance).
 * Both treat the days as independent; daily deltas computed over overlapping users are
 * positively correlated, which makes both tests anti-conservative.
 * Not estimable: INSUFFICIENT_DATA (fewer than minDays days), ZERO_VARIANCE (a day with se = 0).
 */
export function preTrendTest(days: readonly PreTrendDay[], config: Partial<PreTrendConfig> = {}): PreTrendResult {
  const label = 'preTrendTest';
  const cfg: PreTrendConfig = { ...defaultPreTrendConfig, ...config };
  validateAlpha(cfg.alpha, label);
  if (!Number.isInteger(cfg.minDays) || cfg.minDays < 2) throw new RangeError(`${label}: minDays=${cfg.minDays} must be an integer >= 2`);
  const seen = new Set<number>();
  for (const d of days) {
    if (!Number.isInteger(d.day) || d.day >= 0) throw new RangeError(`${label}: day=${d.day} must be a negative integer offset`);
    if (seen.has(d.day)) throw new RangeError(`${label}: day ${d.day} appears twice`);
    seen.add(d.day);
    if (!Number.isFinite(d.delta) || !Number.isFinite(d.se) || d.se < 0) throw new RangeError(`${label}: day ${d.day} has delta=${d.delta}, se=${d.se}`);
  }
  if (days.length < cfg.minDays) {
    return notEstimable('INSUFFICIENT_DATA', `${label}: ${days.length} pre-period days, at least ${cfg.minDays} needed`);
  }
  const zeroSe = days.find((d) => d.se === 0);
  if (zeroSe) return notEstimable('ZERO_VARIANCE', `${label}: day ${zeroSe.day} has a standard error of 0`);

  let sw = 0;
  let swx = 0;
  let swy = 0;
  let chi2 = 0;
  for (const d of days) {
    const w = 1 / (d.se * d.se);
    sw += w;
    swx += w * d.day;
    swy += w * d.delta;
    chi2 += (d.delta * d.delta) * w;
  }
  const xbar = swx / sw;
  const ybar = swy / sw;
  let sxx = 0;
  let sxy = 0;
  for (const d of days) {
    const w = 1 / (d.se * d.se);
    sxx += w * (d.day - xbar) * (d.day - xbar);
    sxy += w * (d.day - xbar) * (d.delta - ybar);
  }
  const estimate = sxy / sxx;
  const se = 1 / Math.sqrt(sxx);
  return {
    status: 'ok',
    slope: {
      estimate,
      se,
      ci: intervalOf(estimate, se, cfg.alpha, 'two-sided', NORMAL),
      pValue: pValueOf(estimate / se, 'two-sided', NORMAL),
    },
    joint: { chi2, df: days.length, pValue: chiSquareSf(chi2, days.length) },
    days: days.length,
  };
}
