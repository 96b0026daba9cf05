/**
 * The SRM debugger (pure; Statsig's "SRM debugger", Fabijan et al. 2019, "Diagnosing
 * Sample Ratio Mismatch in Online Controlled Experiments", KDD: localise the imbalance to
 * a segment). Pearson's chi-square of the arm sizes against the configured split within
 * each level of each dimension and of each exposure day. A dimension keeps its top
 * `maxLevels` levels by users; the rest are pooled as `other`. p-values are Holm-adjusted
 * across the levels of one dimension (each dimension is a family of its own, as the
 * question asked of it is "which of these levels"); the ranking is by raw p-value.
 */
import { adjustPValues, isNotEstimable, srmTest } from '../../stats/index.ts';
import type { SrmDebugRow } from '../tables.ts';

export interface LevelCount {
  readonly dimension: string;
  readonly level: string;
  readonly variant: string;
  readonly observed: number;
}

export interface SrmDebugSettings {
  /** the variants, control first, and their configured shares */
  readonly variants: readonly string[];
  readonly shares: readonly number[];
  readonly threshold: number;
  /** levels kept per dimension before pooling the rest as `other` (default 20) */
  readonly maxLevels: number;
  /** a level with fewer users is flagged few_users (its test has little power) */
  readonly minUsers: number;
}

/** Map.groupBy (Node 21+; Node 20 is supported): rows by key, in first-seen order. */
function groupBy<T>(rows: readonly T[], key: (row: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const r of rows) {
    const k = key(r);
    const list = out.get(k);
    if (list) list.push(r);
    else out.set(k, [r]);
  }
  return out;
}

export const OTHER_LEVEL = 'other';
export const DEFAULT_MAX_LEVELS = 20;
export const DEFAULT_MIN_USERS = 100;

/** Each dimension's top levels by users (ties by name), the rest pooled as `other`. */
export function capLevels(counts: readonly LevelCount[], maxLevels: number): LevelCount[] {
  const out: LevelCount[] = [];
  const byDim = groupBy(counts, (c) => c.dimension);
  for (const [dimension, rows] of byDim) {
    const users = new Map<string, number>();
    for (const r of rows) users.set(r.level, (users.get(r.level) ?? 0) + r.observed);
    // day is a timeline, not a set of levels: every day is kept
    const ranked = [...users.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([l]) => l);
    const kept = new Set(dimension === 'day' ? ranked : ranked.slice(0, maxLevels));
    const pooled = new Map<string, number>();
    for (const r of rows) {
      if (kept.has(r.level) && r.level !== OTHER_LEVEL) out.push(r);
      else pooled.set(r.variant, (pooled.get(r.variant) ?? 0) + r.observed);
    }
    for (const [variant, observed] of pooled) out.push({ dimension, level: OTHER_LEVEL, variant, observed });
  }
  return out;
}

export function srmDebugRows(counts: readonly LevelCount[], s: SrmDebugSettings): SrmDebugRow[] {
  const cells = capLevels(counts, s.maxLevels);
  const expected = Object.fromEntries(s.variants.map((v, i) => [v, s.shares[i]]));
  const overallCounts = s.variants.map((v) => cells.filter((c) => c.dimension === 'day' && c.variant === v).reduce((t, c) => t + c.observed, 0));
  const overall = srmTest(overallCounts, s.shares, { threshold: s.threshold });
  const overallMismatch = !isNotEstimable(overall) && overall.mismatch;
  const rows: SrmDebugRow[] = [];
  for (const [dimension, dimCells] of groupBy(cells, (c) => c.dimension)) {
    const levels = [...groupBy(dimCells, (c) => c.level)];
    const tested = levels.map(([level, lc]) => {
      const observed = s.variants.map((v) => lc.filter((c) => c.variant === v).reduce((t, c) => t + c.observed, 0));
      const total = observed.reduce((a, b) => a + b, 0);
      const base: SrmDebugRow = {
        dimension, level, n_total: total, threshold: s.threshold, correction: 'holm', overall_mismatch: overallMismatch,
        observed: Object.fromEntries(s.variants.map((v, i) => [v, observed[i]])), expected_shares: expected,
        observed_shares: total > 0 ? Object.fromEntries(s.variants.map((v, i) => [v, observed[i]! / total])) : null,
        few_users: total < s.minUsers,
      };
      const r = srmTest(observed, s.shares, { threshold: s.threshold });
      return isNotEstimable(r)
        ? { ...base, status: 'not-estimable', reason: r.reason, reason_detail: r.detail }
        : { ...base, status: 'ok', reason: null, reason_detail: null, chi2: r.chi2, df: r.df, p_value: r.pValue };
    });
    const ok = tested.filter((t) => t.status === 'ok');
    const adjusted = adjustPValues(ok.map((t) => t.p_value as number), 'holm');
    ok.forEach((t, i) => Object.assign(t, { p_value_adjusted: adjusted[i], mismatch: adjusted[i]! < s.threshold }));
    rows.push(...tested);
  }
  const order = [...rows].sort((a, b) => (a.p_value ?? 2) - (b.p_value ?? 2) || String(a.dimension).localeCompare(String(b.dimension)) || String(a.level).localeCompare(String(b.level)));
  order.forEach((r, i) => { r.rank = i + 1; });
  return order;
}

/** p as the debugger prints it: 1e-9, 0.0032, 0.41. */
function fmtP(p: number): string {
  if (p < 1e-4) return p.toExponential(0);
  return p < 0.01 ? p.toPrecision(2) : p.toFixed(2);
}

/**
 * Where the imbalance comes from, one sentence: the mismatched levels of the dimension
 * with the smallest p-value (treatment share = the first treatment's), and whether its
 * other levels are balanced. Undefined when no level is mismatched after correction.
 */
export function srmDebugHeadline(rows: readonly SrmDebugRow[], variants: readonly string[]): string | undefined {
  const worst = rows.find((r) => r.mismatch && r.dimension !== 'day') ?? rows.find((r) => r.mismatch);
  if (!worst) return undefined;
  const treatment = variants[1]!;
  const same = rows.filter((r) => r.dimension === worst.dimension);
  const bad = same.filter((r) => r.mismatch);
  const parts = bad.map((r) => {
    const share = (r.observed_shares as Record<string, number> | null)?.[treatment] ?? NaN;
    return `${r.dimension} = ${r.level}: ${(share * 100).toFixed(1)}% ${treatment}, p = ${fmtP(r.p_value!)}`;
  });
  const rest = same.length - bad.length;
  const noun = worst.dimension === 'day' ? 'days' : `${worst.dimension} levels`;
  return `${parts.join('; ')}${rest > 0 ? `; other ${noun} balanced` : ''}`;
}
