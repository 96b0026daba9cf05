/**
 * The key metric table (primary and secondary metrics) and the guardrails, from the A/B
 * plugin's exp.analysis_results: one row per metric × treatment, metrics in the
 * experiment's order.
 */
import type { AbRow } from '../../analyses/tables.ts';
import type { MetricConfig } from '../../project/types.ts';
import { fmtCount, fmtProbability, fmtPValue, fmtSignedPercent } from '../format.ts';
import type { ReportInputs } from '../inputs.ts';
import type { GuardrailLine, MetricLine, MetricsSection, Section } from '../memo-data.ts';
import { metricMethod } from './metric-method.ts';
import { sectionState } from './section-state.ts';
import { fmtDifferenceCi, fmtLiftCi, fmtValues, metricScale, metricUnit, notEstimable, percentDecimals } from './values.ts';

/** What every per-metric result table has: the metric and the treatment compared with control. */
interface MetricVariant {
  readonly metric?: string | null;
  readonly variant?: string | null;
}

/** Rows in the experiment's metric order, then treatment order. */
export function orderedResults<R extends MetricVariant>(inputs: ReportInputs, rows: readonly R[]): R[] {
  const e = inputs.experiment;
  const metricRank = (r: R) => { const i = e.metricNames.indexOf(r.metric ?? ''); return i < 0 ? e.metricNames.length : i; };
  const variantRank = (r: R) => { const i = e.treatments.indexOf(r.variant ?? ''); return i < 0 ? e.treatments.length : i; };
  return [...rows].sort((a, b) => metricRank(a) - metricRank(b) || variantRank(a) - variantRank(b)
    || (a.metric ?? '').localeCompare(b.metric ?? '') || (a.variant ?? '').localeCompare(b.variant ?? ''));
}

function roleOf(inputs: ReportInputs, r: AbRow): string {
  const metric = r.metric ?? '';
  return r.metric_role ?? (metric === inputs.experiment.primary_metric ? 'primary' : inputs.experiment.guardrails.includes(metric) ? 'guardrail' : 'secondary');
}

/** The pre-registered estimator of an A/B row in words: "CUPED" or "raw". */
export function estimatorName(r: AbRow): string {
  return r.estimator === 'cuped' ? 'CUPED' : 'raw';
}

export function metricLine(r: AbRow, role: string, config?: MetricConfig): MetricLine {
  const type = r.metric_type ?? 'mean';
  const estimable = r.status === 'ok';
  const relativeOk = estimable && (r.relative_status ?? 'ok') === 'ok';
  const significant = r.significant ?? null;
  const unit = metricUnit(config);
  const [control = '—', treatment = '—'] = fmtValues(type, [r.control_mean, r.treatment_mean], unit ? ` ${unit}` : '');
  const absolute = fmtDifferenceCi(type, r.absolute_lift, r.absolute_ci_lower, r.absolute_ci_upper);
  const relative = fmtLiftCi(r.relative_lift, r.relative_ci_lower, r.relative_ci_upper);
  return {
    metric: r.metric ?? '?',
    role,
    variant: r.variant ?? '?',
    test: r.test ?? null,
    estimator: estimatorName(r),
    scale: metricScale(config) || (type === 'binomial' ? 'share of users' : type === 'mean' ? 'per user' : ''),
    users: `${fmtCount(r.control_n)} / ${fmtCount(r.treatment_n)}`,
    control,
    treatment,
    absolute: estimable ? absolute.value : '—',
    absoluteCi: estimable ? absolute.ci : '',
    relative: relativeOk ? relative.value : '—',
    relativeCi: relativeOk ? relative.ci : '',
    pValue: estimable ? fmtPValue(r.p_value) : '—',
    // a project's A/B plugin that does not adjust may leave p_value_adjusted empty
    pAdjusted: estimable ? fmtPValue(r.p_value_adjusted ?? r.p_value) : '—',
    chanceToBeat: r.bayes_status === 'ok' ? fmtProbability(r.chance_to_beat_control) : '—',
    significant: significant === null ? '—' : significant ? 'yes' : 'no',
    outcome: estimable ? r.outcome ?? (significant ? 'significant' : 'inconclusive') : 'not estimable',
    estimable,
    reason: !estimable
      ? notEstimable(r.reason, r.reason_detail)
      : relativeOk ? null : `relative lift ${notEstimable(r.relative_reason, null)}`,
  };
}

/** Each metric's scale ("per user") and the config's description of it. */
function definitions(inputs: ReportInputs, metrics: readonly string[]): MetricsSection['definitions'] {
  return metrics.flatMap((metric) => {
    const m = inputs.metrics[metric];
    const method = m ? metricMethod(m, inputs.tables.analysis_results.filter((r) => r.metric === metric)) : null;
    return m ? [{ metric, scale: metricScale(m), description: m.description?.replace(/\.$/, '') ?? null, ...(method ? { method } : {}) }] : [];
  });
}

export function metricsSection(inputs: ReportInputs): MetricsSection {
  const state = sectionState(inputs, 'analysis_results');
  if (state.status !== 'ok') return { ...state, rows: [], definitions: [] };
  const rows = orderedResults(inputs, inputs.tables.analysis_results)
    .map((r) => ({ r, role: roleOf(inputs, r) }))
    .filter(({ role }) => role !== 'guardrail')
    .map(({ r, role }) => metricLine(r, role, inputs.metrics[r.metric ?? '']));
  const correction = inputs.experiment.correction;
  const significance = inputs.experiment.treatments.length > 1 && correction !== 'none'
    ? `p-values adjusted across the ${inputs.experiment.treatments.length} treatments with ${correctionName(correction)}; "significant" uses the adjusted p-value at alpha ${inputs.experiment.alpha}`
    : `"significant" means p < ${inputs.experiment.alpha}`;
  const cuped = rows.some((r) => r.estimator === 'CUPED');
  const estimator = cuped
    ? 'control and treatment are the raw means; the difference, the lift, p and the chance to beat control use the pre-registered estimator (CUPED: each user\'s value adjusted by their pre-period value, the same numbers as the CUPED table\'s "CUPED lift"; raw lifts are there beside them)'
    : 'control and treatment are the raw means; the difference, the lift and p compare them directly (raw)';
  const metrics = [...new Set(rows.map((r) => r.metric))];
  return { status: 'ok', note: `${estimator}; ${significance}`, rows, definitions: definitions(inputs, metrics) };
}

export function correctionName(c: string): string {
  return c === 'holm' ? 'Holm' : c === 'bonferroni' ? 'Bonferroni' : c === 'bh' ? 'Benjamini-Hochberg' : 'no correction';
}

/** Did the decision find this guardrail harmed (its harm test, through the sequential boundary with a plan)? */
function harmedByDecision(inputs: ReportInputs, metric: string, variant: string): boolean {
  const reasons = inputs.tables.decisions[0]?.reasons;
  if (!Array.isArray(reasons)) return false;
  return reasons.some((x) => typeof x === 'object' && x !== null && (x as Record<string, unknown>)['code'] === 'GUARDRAIL_HARM'
    && (x as Record<string, unknown>)['metric'] === metric && (x as Record<string, unknown>)['variant'] === variant);
}

function guardrailLine(r: AbRow, harmed: boolean): GuardrailLine {
  const estimable = r.status === 'ok';
  const ni = r.noninferiority === true;
  const verdict: GuardrailLine['verdict'] = harmed ? 'harm' : !estimable ? 'not-estimable' : ni && r.guardrail_pass !== true ? 'fail' : 'pass';
  const label = verdict === 'harm' ? 'worse' : verdict === 'not-estimable' ? 'not estimable' : verdict === 'fail' ? 'inconclusive' : ni ? 'non-inferior' : 'not worse';
  const relativeOk = estimable && (r.relative_status ?? 'ok') === 'ok';
  const margin = r.direction === 'decrease' ? r.guardrail_margin ?? null : r.guardrail_margin === null || r.guardrail_margin === undefined ? null : -r.guardrail_margin;
  const relative = fmtLiftCi(r.relative_lift, r.relative_ci_lower, r.relative_ci_upper);
  const d = percentDecimals([r.relative_lift, r.relative_ci_lower, r.relative_ci_upper, r.harm_bound]);
  return {
    metric: r.metric ?? '?',
    variant: r.variant ?? '?',
    direction: r.direction ?? 'increase',
    relative: relativeOk ? relative.value : '—',
    relativeCi: relativeOk ? relative.ci : '',
    harmP: estimable ? `${fmtPValue(r.harm_p_value)} (α = ${fmtPValue(r.harm_alpha)})` : '—',
    worst: estimable ? fmtSignedPercent(r.harm_bound, d) : '—',
    noninferiority: !ni ? '—' : `${r.guardrail_pass ? 'shown' : 'not yet'} at ${fmtSignedPercent(margin, percentDecimals([margin]))} (p = ${fmtPValue(r.noninferiority_p_value)})`,
    verdict,
    label,
    estimable,
    reason: verdict === 'not-estimable' ? notEstimable(r.reason ?? r.relative_reason, r.reason_detail) : null,
  };
}

export function guardrailsSection(inputs: ReportInputs): Section<GuardrailLine> {
  if (!inputs.experiment.guardrails.length) return { status: 'missing', note: 'the experiment has no guardrail metrics', rows: [] };
  const state = sectionState(inputs, 'analysis_results');
  if (state.status !== 'ok') return { ...state, rows: [] };
  const rows = orderedResults(inputs, inputs.tables.analysis_results).filter((r) => roleOf(inputs, r) === 'guardrail').map((r) => guardrailLine(r, harmedByDecision(inputs, r.metric ?? '', r.variant ?? '')));
  return {
    status: rows.length ? 'ok' : 'missing',
    note: rows.length
      ? 'a guardrail blocks shipping only when it is significantly worse: its one-sided test in the harmful direction, at alpha split over the guardrails and treatments (through the sequential boundary with a plan); "cannot rule out" is the worst change that test still allows; non-inferiority is checked only for guardrails that opt in'
      : 'no guardrail rows in analysis_results',
    rows,
  };
}
