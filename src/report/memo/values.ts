/**
 * How a metric's numbers read, by its type: rates as percents and their differences in
 * percentage points, means and ratios with three significant digits, relative lifts as
 * signed percents, and a not-estimable reason in words.
 */
import { fmtInterval, fmtNumber, fmtPercent, fmtPoints, fmtSigned, fmtSignedPercent } from '../format.ts';

export type MetricType = 'binomial' | 'mean' | 'ratio' | string;

/** A value of a result row: null or absent reads as unknown. */
type Value = number | null | undefined;

export function fmtValue(type: MetricType, x: Value): string {
  return type === 'binomial' ? fmtPercent(x) : fmtNumber(x);
}

export function fmtDifference(type: MetricType, x: Value): string {
  return type === 'binomial' ? fmtPoints(x) : fmtSigned(x);
}

/** An interval, or '' when neither bound is known (the estimate beside it already says —). */
export function fmtDifferenceCi(type: MetricType, lower: Value, upper: Value): string {
  if (lower == null && upper == null) return '';
  return fmtInterval(lower, upper, (v) => fmtDifference(type, v));
}

export function fmtLift(x: Value): string {
  return fmtSignedPercent(x);
}

export function fmtLiftCi(lower: Value, upper: Value): string {
  if (lower == null && upper == null) return '';
  return fmtInterval(lower, upper, (v) => fmtSignedPercent(v));
}

const REASONS: Readonly<Record<string, string>> = {
  EMPTY_VARIANT: 'an arm has no users',
  INSUFFICIENT_DATA: 'too little data',
  ZERO_VARIANCE: 'every user has the same value (zero variance)',
  ZERO_BASELINE: 'the control value is zero, so a relative lift is undefined',
  ZERO_DENOMINATOR: 'the ratio\'s denominator is zero in an arm',
  NO_COVARIATE: 'the pre-period covariate has no variance',
  NO_EVENTS: 'an arm has no events',
  ZERO_EFFECT: 'the effect is zero',
  EMPTY_CONFIDENCE_SEQUENCE: 'the confidence sequence became empty',
  NO_AGGREGATES: 'no aggregates for an arm',
};

/** "not estimable: an arm has no users (EMPTY_VARIANT: control has n = 0)" */
export function notEstimable(reason: string | null | undefined, detail: string | null | undefined): string {
  const code = reason ?? 'unknown reason';
  const words = REASONS[code];
  const more = detail && detail !== words ? `: ${detail}` : '';
  return words ? `not estimable: ${words} (${code}${more})` : `not estimable (${code}${more})`;
}
