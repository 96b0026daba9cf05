/**
 * A mean metric's winsorisation, normalised from its config: `cap: { lower_quantile,
 * upper_quantile }` or `cap: { lower_value, upper_value }`, the older `cap_quantile` (the
 * upper quantile), and `cap_nonzero` (quantiles among users with a nonzero value). Read by
 * the SQL templates (render-models adds it to each metric as `winsor`) and by the memo.
 */
import type { MetricConfig } from './types.ts';

export interface Winsorisation {
  /** quantile bounds in (0, 1), pooled across arms; null when that side is not a quantile */
  readonly lower_quantile: number | null;
  readonly upper_quantile: number | null;
  /** fixed bounds; null when that side is not a value */
  readonly lower_value: number | null;
  readonly upper_value: number | null;
  /** the quantiles are taken among users whose value is not 0 */
  readonly nonzero: boolean;
}

/** The metric's winsorisation, or null when it caps nothing. */
export function winsorisation(m: MetricConfig): Winsorisation | null {
  if (m.type !== 'mean') return null;
  const cap = m.cap ?? {};
  const w: Winsorisation = {
    lower_quantile: cap.lower_quantile ?? null,
    upper_quantile: cap.upper_quantile ?? m.cap_quantile ?? null,
    lower_value: cap.lower_value ?? null,
    upper_value: cap.upper_value ?? null,
    nonzero: m.cap_nonzero === true,
  };
  return w.lower_quantile === null && w.upper_quantile === null && w.lower_value === null && w.upper_value === null ? null : w;
}

/**
 * What the SQL templates get as `winsor`: null for a metric with `cap_quantile` alone, which
 * keeps the original single-cap SQL (and so the same fingerprints) it always had.
 */
export function templateWinsorisation(m: MetricConfig): Winsorisation | null {
  if (m.type !== 'mean' || (m.cap === undefined && m.cap_nonzero === undefined)) return null;
  return winsorisation(m);
}
