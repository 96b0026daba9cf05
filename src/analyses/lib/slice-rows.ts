/**
 * Dimension slices (pure): the overall comparison (compare.ts: score test, Welch or delta
 * method, as the `ab` plugin) repeated within each level of each dimension, from the same
 * sufficient statistics (models/slices/slice_aggregates). A dimension keeps its top
 * `maxLevels` levels by users, the rest pooled as `other` (sums add, so pooling is exact).
 * p-values are Holm-adjusted across the levels of one dimension, per metric and treatment:
 * the family is "which levels of this dimension differ" (Holm 1979; GrowthBook's dimension
 * results apply no correction, Eppo's explore views none either; we prefer the stricter
 * default because slices invite fishing). Never read by the decision rules.
 */
import { adjustPValues, isNotEstimable } from '../../stats/index.ts';
import { compare } from './compare.ts';
import type { ArmStats } from './aggregates.ts';
import type { SliceAggregate } from '../model-rows.ts';
import type { SliceRow } from '../tables.ts';

export interface SliceSettings {
  readonly control: string;
  readonly treatments: readonly string[];
  readonly metrics: readonly string[];
  readonly alpha: number;
  readonly maxLevels: number;
  readonly minUsers: number;
}

export const OTHER = 'other';

const add = (a: number | null, b: number | null): number | null => (a === null && b === null ? null : (a ?? 0) + (b ?? 0));

/** Top levels by users (the largest n of any metric and variant summed over variants), the rest pooled as `other`. */
export function capSlices(rows: readonly SliceAggregate[], maxLevels: number): SliceAggregate[] {
  const out: SliceAggregate[] = [];
  for (const dimension of [...new Set(rows.map((r) => r.dimension))]) {
    const own = rows.filter((r) => r.dimension === dimension);
    const metric = own[0]!.metric;
    const users = new Map<string, number>();
    for (const r of own) if (r.metric === metric) users.set(r.level, (users.get(r.level) ?? 0) + r.n);
    const kept = new Set([...users.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, maxLevels).map(([l]) => l));
    const pooled = new Map<string, SliceAggregate>();
    for (const r of own) {
      if (kept.has(r.level) && r.level !== OTHER) { out.push(r); continue; }
      const k = `${r.variant}\u0000${r.metric}`;
      const p = pooled.get(k);
      pooled.set(k, p ? {
        ...p, n: p.n + r.n, sum: p.sum + r.sum, sum_squares: p.sum_squares + r.sum_squares,
        denominator_sum: add(p.denominator_sum, r.denominator_sum), denominator_sum_squares: add(p.denominator_sum_squares, r.denominator_sum_squares),
        numerator_denominator_sum: add(p.numerator_denominator_sum, r.numerator_denominator_sum),
      } : { ...r, level: OTHER });
    }
    out.push(...pooled.values());
  }
  return out;
}

const arm = (r: SliceAggregate | undefined): ArmStats => ({
  n: r?.n ?? 0, sum: r?.sum ?? 0, sumSquares: r?.sum_squares ?? 0,
  denominatorSum: r?.denominator_sum ?? null, denominatorSumSquares: r?.denominator_sum_squares ?? null, numeratorDenominatorSum: r?.numerator_denominator_sum ?? null,
});

export function sliceRows(aggregates: readonly SliceAggregate[], s: SliceSettings): SliceRow[] {
  const cells = capSlices(aggregates, s.maxLevels);
  const find = (d: string, l: string, v: string, m: string): SliceAggregate | undefined => cells.find((c) => c.dimension === d && c.level === l && c.variant === v && c.metric === m);
  const rows: SliceRow[] = [];
  for (const dimension of [...new Set(cells.map((c) => c.dimension))]) {
    const levels = [...new Set(cells.filter((c) => c.dimension === dimension).map((c) => c.level))];
    for (const metric of s.metrics) {
      for (const variant of s.treatments) {
        const family: SliceRow[] = [];
        for (const level of levels) {
          const c = find(dimension, level, s.control, metric);
          const t = find(dimension, level, variant, metric);
          const type = (c ?? t)?.metric_type;
          if (!type) continue;
          const base: SliceRow = {
            dimension, level, metric, metric_type: type, control_variant: s.control, variant, correction: 'holm',
            control_n: c?.n ?? 0, treatment_n: t?.n ?? 0, few_users: Math.min(c?.n ?? 0, t?.n ?? 0) < s.minUsers,
          };
          const r = compare(type, arm(c), arm(t), { alpha: s.alpha });
          family.push(isNotEstimable(r)
            ? { ...base, status: 'not-estimable', reason: r.reason, reason_detail: r.detail }
            : {
              ...base, status: 'ok', reason: null, reason_detail: null, control_mean: r.controlMean, treatment_mean: r.treatmentMean,
              estimate: r.estimate, ci_lower: r.ci[0], ci_upper: r.ci[1], p_value: r.pValue,
              relative_lift: r.controlMean ? r.estimate / Math.abs(r.controlMean) : null,
            });
        }
        const ok = family.filter((f) => f.status === 'ok');
        const adjusted = adjustPValues(ok.map((f) => f.p_value as number), 'holm');
        ok.forEach((f, i) => Object.assign(f, { p_value_adjusted: adjusted[i], significant: adjusted[i]! < s.alpha }));
        rows.push(...family);
      }
    }
  }
  return rows;
}
