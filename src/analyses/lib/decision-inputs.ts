/**
 * Read the decision's inputs from the tables the earlier plugins and the DQ model wrote
 * for this partition, into the plain record the pure rules take.
 */
import type { AnalysisContext } from '../../analyse/plugin.ts';
import type { DecisionInput, GuardrailResult, PrimaryResult, SequentialState } from './decision-rules.ts';
import { decisionConfig, metricPlans } from './settings.ts';

type Row = Record<string, unknown>;
const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
const str = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
const bool = (v: unknown): boolean | null => (v === null || v === undefined ? null : v === true || v === 'true');

async function tableRows(ctx: AnalysisContext, table: string, order: string): Promise<Row[]> {
  const exists = await ctx.query("select 1 from information_schema.tables where table_schema = 'exp' and table_name = $t", { t: table });
  if (!exists.length) return [];
  return ctx.query(`select * from exp.${table} where experiment_id = $experiment_id order by ${order}`);
}

export function primaryResult(r: Row): PrimaryResult {
  return {
    variant: String(r['variant']), status: String(r['status']), reason: str(r['reason']),
    absoluteLift: num(r['absolute_lift']), relativeLift: num(r['relative_lift']),
    relativeCiLower: num(r['relative_ci_lower']), relativeCiUpper: num(r['relative_ci_upper']),
    pValueAdjusted: num(r['p_value_adjusted']), outcome: str(r['outcome']),
    mdeAbsolute: num(r['mde_absolute']), mdeRelative: num(r['mde_relative']),
  };
}

export function guardrailResult(r: Row): GuardrailResult {
  return {
    metric: String(r['metric']), variant: String(r['variant']), status: String(r['status']), reason: str(r['reason']),
    relativeLift: num(r['relative_lift']), margin: num(r['guardrail_margin']), noninferiorityBound: num(r['noninferiority_bound']),
    pass: bool(r['guardrail_pass']), harm: bool(r['guardrail_harm']),
  };
}

function sequentialState(rows: readonly Row[]): DecisionInput['sequential'] {
  const current = rows.filter((r) => r['is_current'] === true);
  const first = current[0];
  if (!first || first['look_status'] === 'no-plan') return null;
  const status = String(first['look_status']);
  const history = rows.filter((r) => r['is_current'] !== true);
  const lastLook = Math.max(0, ...history.map((r) => Number(r['look'])));
  // a build that takes no look of its own stands on the last recorded one
  const stands = (status === 'after-final' || status === 'no-new-information') && lastLook > 0;
  const source = stands ? history.filter((r) => Number(r['look']) === lastLook) : current;
  const src = source[0] ?? first;
  const variants: SequentialState[] = source.map((r) => ({
    variant: String(r['variant']), decision: str(r['decision']), z: num(r['z']), boundary: num(r['boundary']),
  }));
  return {
    look: num(src['look']),
    plannedLooks: Number(first['planned_looks']),
    informationFraction: num(first['information_fraction']),
    isFinal: bool(src['is_final_look']) ?? (status === 'after-final' || first['window_complete'] === true),
    boundary: num(src['boundary']),
    nextInformationFraction: num(first['next_information_fraction']),
    nextBoundary: num(first['next_boundary']),
    alphaSpent: num(src['alpha_spent']),
    variants,
  };
}

export async function loadDecisionInput(ctx: AnalysisContext): Promise<DecisionInput> {
  const exp = ctx.experiment;
  const cfg = decisionConfig(exp);
  const primary = metricPlans(exp, ctx.metrics).find((p) => p.role === 'primary')!;
  const ab = await tableRows(ctx, 'analysis_results', 'metric, variant');
  const dq = await tableRows(ctx, 'dq_results', 'check_name');
  const srm = (await tableRows(ctx, 'srm_results', 'grain')).find((r) => r['grain'] === 'overall');
  const seq = await tableRows(ctx, 'sequential_looks', 'look, variant');
  const primaryRows = exp.treatments.map((v) => ab.find((r) => r['metric'] === primary.name && r['variant'] === v)).filter((r): r is Row => !!r);
  const arms = [
    { variant: exp.control, n: Number(primaryRows[0]?.['control_n'] ?? 0) },
    ...exp.treatments.map((v) => ({ variant: v, n: Number(primaryRows.find((r) => r['variant'] === v)?.['treatment_n'] ?? 0) })),
  ];
  return {
    primaryMetric: primary.name,
    direction: primary.direction,
    alpha: exp.alpha,
    srmThreshold: cfg.srm_threshold,
    minSamplePerArm: cfg.min_sample_per_arm,
    dqFailures: dq.filter((r) => r['status'] === 'fail' && r['severity'] === 'error').map((r) => ({ check: String(r['check_name']), details: String(r['details'] ?? '') })),
    dqWarnings: dq.filter((r) => r['status'] === 'warn').map((r) => ({ check: String(r['check_name']), details: String(r['details'] ?? '') })),
    ...(srm ? { srm: { status: String(srm['status']), pValue: num(srm['p_value']), detail: str(srm['reason_detail']) } } : {}),
    arms,
    primary: primaryRows.map(primaryResult),
    guardrails: ab.filter((r) => r['metric_role'] === 'guardrail').map(guardrailResult),
    sequential: sequentialState(seq),
    windowComplete: seq.some((r) => r['is_current'] === true && r['window_complete'] === true),
  };
}
