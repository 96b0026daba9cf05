/**
 * The rows of srm_results (pure): Pearson's chi-square of the observed arm sizes against the
 * configured split, over the whole window so far ('overall') and for each day ('daily':
 * the users exposed up to the end of that day, plus that day's new users on their own).
 */
import { isNotEstimable, srmTest } from '../../stats/index.ts';
import type { SrmRow } from '../tables.ts';

import type { SrmCount as SrmCountRow } from '../model-rows.ts';

/** The columns of checks/srm_counts the SRM plugin reads. */
export type SrmCount = Pick<SrmCountRow, 'grain' | 'day' | 'day_index' | 'variant' | 'expected_share' | 'observed' | 'observed_cum'>;

export function srmRows(counts: readonly SrmCount[], variants: readonly string[], threshold: number): SrmRow[] {
  const rows: SrmRow[] = [];
  const groups = new Map<string, SrmCount[]>();
  for (const c of counts) {
    const k = c.grain === 'overall' ? 'overall' : `daily\u0000${c.day_index}`;
    groups.set(k, [...(groups.get(k) ?? []), c]);
  }
  const ordered = [...groups.entries()].sort(([a], [b]) => (a === 'overall' ? -1 : b === 'overall' ? 1 : Number(a.split('\u0000')[1]) - Number(b.split('\u0000')[1])));
  for (const [, group] of ordered) {
    const first = group[0]!;
    const arms = variants.map((v) => group.find((g) => g.variant === v)).filter((g): g is SrmCount => g !== undefined);
    const shares = Object.fromEntries(arms.map((a) => [a.variant, a.expected_share]));
    const cumulative = arms.map((a) => (first.grain === 'overall' ? a.observed : a.observed_cum));
    const total = cumulative.reduce((s, x) => s + x, 0);
    const base: SrmRow = {
      grain: first.grain, day: first.day, day_index: first.day_index, threshold, n_total: total,
      observed: Object.fromEntries(arms.map((a, i) => [a.variant, cumulative[i]])),
      expected_shares: shares,
      observed_shares: total > 0 ? Object.fromEntries(arms.map((a, i) => [a.variant, (cumulative[i] as number) / total])) : null,
    };
    if (arms.length < 2) { rows.push({ ...base, status: 'not-estimable', reason: 'INSUFFICIENT_DATA', reason_detail: 'fewer than two configured arms in srm_counts' }); continue; }
    const r = srmTest(cumulative, arms.map((a) => a.expected_share), { threshold });
    const day = first.grain === 'daily' ? dayOnly(arms, threshold) : {};
    if (isNotEstimable(r)) { rows.push({ ...base, ...day, status: 'not-estimable', reason: r.reason, reason_detail: r.detail }); continue; }
    rows.push({ ...base, ...day, status: 'ok', reason: null, reason_detail: null, chi2: r.chi2, df: r.df, p_value: r.pValue, mismatch: r.mismatch });
  }
  return rows;
}

/** The day's new exposures alone (informative; the decision reads the overall row). */
function dayOnly(arms: readonly SrmCount[], threshold: number): SrmRow {
  const observed = arms.map((a) => a.observed);
  const total = observed.reduce((s, x) => s + x, 0);
  const r = srmTest(observed, arms.map((a) => a.expected_share), { threshold });
  return isNotEstimable(r) ? { day_n_total: total } : { day_n_total: total, day_chi2: r.chi2, day_p_value: r.pValue };
}
