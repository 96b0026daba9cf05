/**
 * Read the decision's inputs from the tables the earlier plugins and the DQ model wrote
 * for this partition (typed by the results contract), into the plain record the pure
 * rules take.
 */
import type { AnalysisContext } from '../../analyse/plugin.ts';
import { decodeRow } from '../read-table.ts';
import type { TableSpec } from '../../analyse/plugin.ts';
import { ANALYSIS_RESULTS, SEQUENTIAL_LOOKS, SRM_RESULTS, type AbRow, type SequentialRow } from '../tables.ts';
import type { DecisionInput, GuardrailResult, PrimaryResult, SequentialState } from './decision-rules.ts';
import { decisionConfig, metricPlans, type Direction } from './settings.ts';

/** The columns of models/checks/dq_results.sql the rules read. */
const DQ_RESULTS = { check_name: 'varchar', status: 'varchar', severity: 'varchar', details: 'varchar' } as const satisfies TableSpec;

async function tableRows<S extends TableSpec>(ctx: AnalysisContext, table: string, spec: S, order: string) {
  const exists = await ctx.query("select 1 from information_schema.tables where table_catalog = current_database() and table_schema = 'exp' and table_name = $t", { t: table });
  if (!exists.length) return [];
  return (await ctx.query(`select * from exp.${table} where experiment_id = $experiment_id order by ${order}`)).map((r) => decodeRow(spec, r));
}

export function primaryResult(r: AbRow): PrimaryResult {
  return {
    variant: r.variant ?? '', status: r.status ?? 'not-estimable', reason: r.reason ?? null,
    absoluteLift: r.absolute_lift ?? null, relativeLift: r.relative_lift ?? null,
    relativeCiLower: r.relative_ci_lower ?? null, relativeCiUpper: r.relative_ci_upper ?? null,
    pValueAdjusted: r.p_value_adjusted ?? null, outcome: r.outcome ?? null,
    mdeAbsolute: r.mde_absolute ?? null, mdeRelative: r.mde_relative ?? null,
  };
}

export function guardrailResult(r: AbRow): GuardrailResult {
  return {
    metric: r.metric ?? '', variant: r.variant ?? '', direction: (r.direction ?? 'increase') as Direction,
    status: r.status ?? 'not-estimable', reason: r.reason ?? null,
    relativeLift: r.relative_lift ?? null, relativeCiLower: r.relative_ci_lower ?? null, relativeCiUpper: r.relative_ci_upper ?? null,
    statistic: r.statistic ?? null, margin: r.guardrail_margin ?? null,
    harm: r.guardrail_harm ?? null, harmBound: r.harm_bound ?? null,
    noninferiority: r.noninferiority === true, noninferiorityBound: r.noninferiority_bound ?? null,
    pass: r.guardrail_pass ?? null, niNPerArm: r.ni_n_per_arm ?? null, controlN: r.control_n ?? null,
  };
}

/** The row the decision stands on: this build's look, or the last recorded one when this build takes none. */
function standingRows(rows: readonly SequentialRow[]): readonly SequentialRow[] {
  const current = rows.filter((r) => r.is_current === true);
  const status = current[0]?.look_status ?? '';
  const history = rows.filter((r) => r.is_current !== true);
  const lastLook = Math.max(0, ...history.map((r) => r.look ?? 0));
  const stands = (status === 'after-final' || status === 'no-new-information') && lastLook > 0;
  return stands ? history.filter((r) => r.look === lastLook) : current;
}

/** Guardrail z at the look the decision stands on (recorded with the look), else the current test's. */
export function withLookZ(guardrails: readonly GuardrailResult[], rows: readonly SequentialRow[]): GuardrailResult[] {
  const z = standingRows(rows)[0]?.guardrail_z;
  const byMetric = z !== null && typeof z === 'object' ? (z as Record<string, Record<string, number | null> | undefined>) : {};
  return guardrails.map((g) => {
    const recorded = byMetric[g.metric]?.[g.variant];
    return recorded === undefined ? g : { ...g, statistic: recorded };
  });
}

export function sequentialState(rows: readonly SequentialRow[]): DecisionInput['sequential'] {
  const current = rows.filter((r) => r.is_current === true);
  const first = current[0];
  if (!first || first.look_status === 'no-plan') return null;
  const status = first.look_status ?? '';
  // a build that takes no look of its own stands on the last recorded one
  const source = standingRows(rows);
  const src = source[0] ?? first;
  const variants: SequentialState[] = source.map((r) => ({
    variant: r.variant ?? '', decision: r.decision ?? null, z: r.z ?? null, boundary: r.boundary ?? null,
  }));
  return {
    look: src.look ?? null,
    plannedLooks: first.planned_looks ?? 0,
    informationFraction: first.information_fraction ?? null,
    isFinal: src.is_final_look ?? (status === 'after-final' || first.window_complete === true),
    boundary: src.boundary ?? null,
    nextInformationFraction: first.next_information_fraction ?? null,
    nextBoundary: first.next_boundary ?? null,
    alphaSpent: src.alpha_spent ?? null,
    guardrailBoundary: src.guardrail_boundary ?? null,
    variants,
  };
}

export async function loadDecisionInput(ctx: AnalysisContext): Promise<DecisionInput> {
  const exp = ctx.experiment;
  const cfg = decisionConfig(exp);
  const primary = metricPlans(exp, ctx.metrics).find((p) => p.role === 'primary')!;
  const ab = await tableRows(ctx, 'analysis_results', ANALYSIS_RESULTS, 'metric, variant');
  const dq = await tableRows(ctx, 'dq_results', DQ_RESULTS, 'check_name');
  const srm = (await tableRows(ctx, 'srm_results', SRM_RESULTS, 'grain')).find((r) => r.grain === 'overall');
  const seq = (await tableRows(ctx, 'sequential_looks', SEQUENTIAL_LOOKS, 'look, variant')).filter((r) => r.metric === null || r.metric === primary.name);
  const primaryRows = exp.treatments.map((v) => ab.find((r) => r.metric === primary.name && r.variant === v)).filter((r): r is AbRow => !!r);
  const arms = [
    { variant: exp.control, n: primaryRows[0]?.control_n ?? 0 },
    ...exp.treatments.map((v) => ({ variant: v, n: primaryRows.find((r) => r.variant === v)?.treatment_n ?? 0 })),
  ];
  return {
    primaryMetric: primary.name,
    direction: primary.direction,
    alpha: exp.alpha,
    srmThreshold: cfg.srm_threshold,
    minSamplePerArm: cfg.min_sample_per_arm,
    dqFailures: dq.filter((r) => r.status === 'fail' && r.severity === 'error').map((r) => ({ check: r.check_name ?? '', details: r.details ?? '' })),
    dqWarnings: dq.filter((r) => r.status === 'warn').map((r) => ({ check: r.check_name ?? '', details: r.details ?? '' })),
    ...(srm ? { srm: { status: srm.status ?? 'not-estimable', pValue: srm.p_value ?? null, detail: srm.reason_detail ?? null } } : {}),
    arms,
    primary: primaryRows.map(primaryResult),
    guardrails: withLookZ(ab.filter((r) => r.metric_role === 'guardrail').map(guardrailResult), seq),
    sequential: sequentialState(seq),
    windowComplete: seq.some((r) => r.is_current === true && r.window_complete === true),
  };
}
