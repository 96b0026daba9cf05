/**
 * Assemble sequential_looks rows (pure): the earlier looks kept in the ledger, then this
 * build's look per treatment with its always-valid p-value over the daily cumulative data.
 */
import { alwaysValidTest, isNotEstimable, type AlwaysValidLook } from '../../stats/index.ts';
import type { LookRecord } from '../../ledger/looks.ts';
import { cumulativeArm, type DailyAggregate } from './aggregates.ts';
import { compare, type ComparisonResult } from './compare.ts';
import type { LookOutcome, PreviousLook, SequentialPlan } from './sequential-look.ts';
import type { MetricPlan } from './settings.ts';
import type { SequentialRow } from '../tables.ts';

/** What this plugin keeps in a look's `details` (and reads back from earlier looks). */
export interface LookDetails {
  readonly final: boolean;
  readonly spendingFraction: number;
  readonly metric: string;
  /** the guardrail harm boundary at this look and each guardrail's z: { metric: { variant: z } } */
  readonly guardrailBoundary?: number | null;
  readonly guardrailZ?: GuardrailZ;
  readonly variants: readonly {
    readonly variant: string;
    readonly z: number | null;
    readonly estimate: number | null;
    readonly se: number | null;
    readonly control_n: number;
    readonly treatment_n: number;
    readonly crossed: boolean | null;
    readonly decision: string | null;
  }[];
}

export type GuardrailZ = Readonly<Record<string, Readonly<Record<string, number | null>>>>;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function previousLook(l: LookRecord): PreviousLook {
  const d = isRecord(l.details) ? l.details : {};
  const final = d['final'] === true;
  const spendingFraction = typeof d['spendingFraction'] === 'number' ? d['spendingFraction'] : l.informationFraction;
  return { look: l.look, informationFraction: l.informationFraction, spendingFraction, final, decision: l.decision };
}

export function historyRows(looks: readonly LookRecord[], base: SequentialRow, plan: SequentialPlan): SequentialRow[] {
  const rows: SequentialRow[] = [];
  for (const l of looks) {
    const d = isRecord(l.details) ? l.details : {};
    const common: SequentialRow = {
      ...base, look: l.look, is_current: false, look_status: 'history', look_note: `taken ${l.at.slice(0, 10)} on input ${l.inputHash.slice(0, 12)}`,
      information_fraction: l.informationFraction, boundary: l.boundary, alpha_spent: l.alphaSpent, decision: l.decision,
      is_final_look: d['final'] === true, planned_looks: plan.looks, status: 'ok',
      guardrail_boundary: typeof d['guardrailBoundary'] === 'number' ? d['guardrailBoundary'] : null,
      guardrail_z: isRecord(d['guardrailZ']) ? d['guardrailZ'] : null,
    };
    const variants = Array.isArray(d['variants']) ? d['variants'].filter(isRecord) : [];
    if (variants.length === 0) { rows.push({ ...common, variant: null, z: l.z }); continue; }
    for (const v of variants) {
      const num = (x: unknown): number | null => (typeof x === 'number' ? x : null);
      rows.push({
        ...common, variant: String(v['variant']), z: num(v['z']), estimate: num(v['estimate']), se: num(v['se']),
        control_n: num(v['control_n']), treatment_n: num(v['treatment_n']),
        crossed: typeof v['crossed'] === 'boolean' ? v['crossed'] : null,
        decision: typeof v['decision'] === 'string' ? v['decision'] : l.decision,
      });
    }
  }
  return rows;
}

/**
 * Always-valid (mSPRT) p-value and confidence sequence of the primary metric's absolute
 * difference over every post day's cumulative data, mixture tuned to be tightest at the
 * planned sample (2 × target_n_per_arm units of the two arms compared).
 */
export function alwaysValid(metric: MetricPlan, daily: readonly DailyAggregate[], control: string, variant: string, alpha: number, plan: SequentialPlan): SequentialRow {
  const rows = daily.filter((d) => d.metric === metric.name && d.period === 'post');
  const c = new Map(rows.filter((d) => d.variant === control).map((d) => [d.day_index, d]));
  const looks: AlwaysValidLook[] = [];
  for (const t of rows.filter((d) => d.variant === variant).sort((a, b) => a.day_index - b.day_index)) {
    const cc = c.get(t.day_index);
    const ca = cc && cumulativeArm(cc);
    const ta = cumulativeArm(t);
    if (!ca || !ta || ca.n < 2 || ta.n < 2) continue;
    const r = compare(metric.type, ca, ta, { alpha, difference: 'absolute' });
    if (isNotEstimable(r) || !(r.se > 0)) continue;
    looks.push({ n: ca.n + ta.n, estimate: r.estimate, se: r.se });
  }
  const r = alwaysValidTest(looks, { alpha, mixture: { targetN: 2 * plan.targetNPerArm } });
  if (isNotEstimable(r)) return { always_valid_status: 'not-estimable', always_valid_reason: r.reason, always_valid_looks: looks.length };
  return {
    always_valid_status: 'ok', always_valid_reason: null, always_valid_looks: looks.length,
    always_valid_p_value: r.pValue, always_valid_ci_lower: r.ci[0], always_valid_ci_upper: r.ci[1],
  };
}

/** This build's rows, one per treatment. */
export function currentRows(
  base: SequentialRow,
  outcome: LookOutcome,
  comparisons: ReadonlyMap<string, ComparisonResult>,
  arms: ReadonlyMap<string, number>,
  control: string,
  extra: (variant: string) => SequentialRow,
): SequentialRow[] {
  return [...comparisons].map(([variant, r]) => {
    const row: SequentialRow = {
      ...base, ...extra(variant), variant, is_current: true, look: outcome.look, information_fraction: outcome.informationFraction,
      comparison_alpha: outcome.comparisonAlpha, control_n: arms.get(control) ?? 0, treatment_n: arms.get(variant) ?? 0,
      ...(isNotEstimable(r)
        ? { status: 'not-estimable', reason: r.reason, reason_detail: r.detail }
        : { status: 'ok', reason: null, reason_detail: null, estimate: r.estimate, se: r.se, z: r.statistic }),
    };
    if (outcome.status !== 'ok') return { ...row, decision: outcome.decision, look_note: outcome.detail };
    const v = outcome.variants.find((x) => x.variant === variant);
    return {
      ...row, boundary: outcome.boundary, nominal_alpha: outcome.nominalAlpha, alpha_spent: outcome.alphaSpent,
      crossed: v?.crossed ?? null, decision: v?.decision ?? null, is_final_look: outcome.isFinal,
      next_information_fraction: outcome.nextInformationFraction, next_boundary: outcome.nextBoundary,
      guardrail_boundary: outcome.guardrailBoundary,
    };
  });
}
