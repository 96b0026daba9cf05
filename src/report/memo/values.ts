/**
 * How a metric's numbers read, by its type: rates as percents and their differences in
 * percentage points, means and ratios with three significant digits, relative lifts as
 * signed percents, and a not-estimable reason in words. Numbers that are read together
 * (an estimate and its interval, control beside treatment) share their decimals.
 */
import type { MetricConfig } from '../../project/types.ts';
import { decimalsFor, fmtFixed, fmtInterval, fmtPercent, fmtPoints, fmtSigned, fmtSignedPercent, fmtSmall } from '../format.ts';

export type MetricType = 'binomial' | 'mean' | 'ratio' | string;

/** A value of a result row: null or absent reads as unknown. */
type Value = number | null | undefined;

const pct = (xs: readonly Value[]): number[] => xs.flatMap((x) => (typeof x === 'number' ? [x * 100] : []));

/** Decimals of a group of relative changes or shares: 2 significant digits of the largest, at least 1 decimal. */
export function percentDecimals(xs: readonly Value[]): number {
  return decimalsFor(pct(xs), 2, 1, 4);
}

/** Decimals of a group of values of one metric, by its type (rates in percent, 3 significant digits). */
function valueDecimals(type: MetricType, xs: readonly Value[]): number {
  return type === 'binomial' ? decimalsFor(pct(xs), 3, 1, 4) : decimalsFor(xs, 3, 0, 6);
}

/** Decimals of a group of differences: percentage points with at least 2 decimals, else 3 significant digits. */
function differenceDecimals(type: MetricType, xs: readonly Value[]): number {
  return type === 'binomial' ? decimalsFor(pct(xs), 2, 2, 4) : decimalsFor(xs, 3, 0, 6);
}

/** The values of one metric read side by side (control, treatment), with shared decimals. */
export function fmtValues(type: MetricType, xs: readonly Value[], suffix = ''): string[] {
  const d = valueDecimals(type, xs);
  return xs.map((x) => (x == null || !Number.isFinite(x) ? '—' : type === 'binomial' ? fmtPercent(x, d) : `${fmtFixed(x, d)}${suffix}`));
}

export interface WithCi {
  readonly value: string;
  /** '' when neither bound is known (the estimate beside it already says —) */
  readonly ci: string;
}

/** An absolute difference and its interval: points for rates, signed numbers otherwise. */
export function fmtDifferenceCi(type: MetricType, x: Value, lower: Value, upper: Value): WithCi {
  const d = differenceDecimals(type, [x, lower, upper]);
  const f = (v: Value): string => (type === 'binomial' ? fmtPoints(v, d) : fmtSigned(v, d));
  return { value: f(x), ci: lower == null && upper == null ? '' : fmtInterval(lower, upper, f) };
}

/** A relative lift and its interval, one number of decimals: "+4.4%" "[-3.0%, +11.8%]". */
export function fmtLiftCi(x: Value, lower: Value, upper: Value): WithCi {
  const d = percentDecimals([x, lower, upper]);
  return { value: fmtSignedPercent(x, d), ci: lower == null && upper == null ? '' : fmtInterval(lower, upper, (v) => fmtSignedPercent(v, d)) };
}

/** "+4.4% [-3.0%, +11.8%]" */
export function fmtLiftWithCi(x: Value, lower: Value, upper: Value): string {
  const { value, ci } = fmtLiftCi(x, lower, upper);
  return ci ? `${value} ${ci}` : value;
}

/** A slope per day: percentage points per day for a rate, else per-unit; tiny ones with a power of ten. */
export function fmtSlope(type: MetricType, x: Value): string {
  if (x == null || !Number.isFinite(x)) return '—';
  const text = type === 'binomial' ? `${fmtSmall(x * 100, 2)} pp` : fmtSmall(x, 2);
  return `${x > 0 ? '+' : ''}${text} per day`;
}

/** A metric's optional `unit` (a newer config key): "EUR", "s". */
export function metricUnit(m: MetricConfig | undefined): string | null {
  const unit = (m as { unit?: unknown } | undefined)?.unit;
  return typeof unit === 'string' && unit.trim() ? unit.trim() : null;
}

/**
 * What one value of the metric is, in words: "share of users" for a rate, "per user" for
 * a mean (with the unit when the config gives one: "EUR per user"), "per <event>" for a
 * ratio of sums.
 */
/** A quantile level as users read it: 0.5 → "median", 0.9 → "p90", 0.995 → "p99.5". */
export function quantileLabel(nu: number): string {
  return nu === 0.5 ? 'median' : `p${+(nu * 100).toPrecision(4)}`;
}

export function metricScale(m: MetricConfig | undefined): string {
  if (!m) return '';
  const unit = metricUnit(m);
  if (m.type === 'binomial') return 'share of users';
  if (m.type === 'mean') return `${unit ?? (m.value ? '' : `${m.event} events`)} per user`.trim();
  if (m.type === 'quantile') return `${quantileLabel(m.quantile)} of ${unit ?? (m.value ? m.value : `${m.event} events`)} per user`;
  const per = m.denominator.value ? `${m.denominator.value} of ${m.denominator.event}` : m.denominator.event;
  return `${unit ? `${unit} ` : ''}per ${per}`;
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
