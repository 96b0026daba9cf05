/**
 * The key metric table (primary and secondary metrics) and the guardrails, from the A/B
 * plugin's exp.analysis_results: one row per metric × treatment, metrics in the
 * experiment's order.
 */
import type { Row } from '../../engine/connection.ts';
import { fmtCount, fmtPercent, fmtProbability, fmtPValue, fmtSignedPercent } from '../format.ts';
import type { ReportInputs } from '../inputs.ts';
import type { GuardrailRow, MetricRow, Section } from '../memo-data.ts';
import { bool, num, str } from '../rows.ts';
import { sectionState } from './section-state.ts';
import { fmtDifference, fmtDifferenceCi, fmtLift, fmtLiftCi, fmtValue, notEstimable } from './values.ts';

const TABLE = 'analysis_results';

/** Rows in the experiment's metric order, then treatment order. */
export function orderedResults(inputs: ReportInputs, table: string): Row[] {
  const e = inputs.experiment;
  const metricRank = (r: Row) => { const i = e.metricNames.indexOf(str(r, 'metric') ?? ''); return i < 0 ? e.metricNames.length : i; };
  const variantRank = (r: Row) => { const i = e.treatments.indexOf(str(r, 'variant') ?? ''); return i < 0 ? e.treatments.length : i; };
  return [...(inputs.tables[table] ?? [])].sort((a, b) => metricRank(a) - metricRank(b) || variantRank(a) - variantRank(b)
    || (str(a, 'metric') ?? '').localeCompare(str(b, 'metric') ?? '') || (str(a, 'variant') ?? '').localeCompare(str(b, 'variant') ?? ''));
}

function roleOf(inputs: ReportInputs, r: Row): string {
  const metric = str(r, 'metric') ?? '';
  return str(r, 'metric_role') ?? (metric === inputs.experiment.primary_metric ? 'primary' : inputs.experiment.guardrails.includes(metric) ? 'guardrail' : 'secondary');
}

export function metricRow(r: Row, role: string): MetricRow {
  const type = str(r, 'metric_type') ?? 'mean';
  const estimable = str(r, 'status') === 'ok';
  const relativeOk = estimable && (str(r, 'relative_status') ?? 'ok') === 'ok';
  const significant = bool(r, 'significant');
  return {
    metric: str(r, 'metric') ?? '?',
    role,
    variant: str(r, 'variant') ?? '?',
    test: str(r, 'test'),
    users: `${fmtCount(num(r, 'control_n'))} / ${fmtCount(num(r, 'treatment_n'))}`,
    control: fmtValue(type, num(r, 'control_mean')),
    treatment: fmtValue(type, num(r, 'treatment_mean')),
    absolute: estimable ? fmtDifference(type, num(r, 'absolute_lift')) : '—',
    absoluteCi: estimable ? fmtDifferenceCi(type, num(r, 'absolute_ci_lower'), num(r, 'absolute_ci_upper')) : '',
    relative: relativeOk ? fmtLift(num(r, 'relative_lift')) : '—',
    relativeCi: relativeOk ? fmtLiftCi(num(r, 'relative_ci_lower'), num(r, 'relative_ci_upper')) : '',
    pValue: estimable ? fmtPValue(num(r, 'p_value')) : '—',
    pAdjusted: estimable ? fmtPValue(num(r, 'p_value_adjusted', 'p_value')) : '—',
    chanceToBeat: str(r, 'bayes_status') === 'ok' ? fmtProbability(num(r, 'chance_to_beat_control')) : '—',
    significant: significant === null ? '—' : significant ? 'yes' : 'no',
    outcome: estimable ? str(r, 'outcome') ?? (significant ? 'significant' : 'inconclusive') : 'not estimable',
    estimable,
    reason: !estimable
      ? notEstimable(str(r, 'reason'), str(r, 'reason_detail'))
      : relativeOk ? null : `relative lift ${notEstimable(str(r, 'relative_reason'), null)}`,
  };
}

export function metricsSection(inputs: ReportInputs): Section<MetricRow> {
  const state = sectionState(inputs, TABLE);
  if (state.status !== 'ok') return { ...state, rows: [] };
  const rows = orderedResults(inputs, TABLE)
    .map((r) => ({ r, role: roleOf(inputs, r) }))
    .filter(({ role }) => role !== 'guardrail')
    .map(({ r, role }) => metricRow(r, role));
  const correction = inputs.experiment.correction;
  const note = inputs.experiment.treatments.length > 1 && correction !== 'none'
    ? `p-values adjusted across the ${inputs.experiment.treatments.length} treatments with ${correctionName(correction)}; "significant" uses the adjusted p-value at alpha ${inputs.experiment.alpha}`
    : `"significant" means p < ${inputs.experiment.alpha}`;
  return { status: 'ok', note, rows };
}

export function correctionName(c: string): string {
  return c === 'holm' ? 'Holm' : c === 'bonferroni' ? 'Bonferroni' : c === 'bh' ? 'Benjamini-Hochberg' : 'no correction';
}

function guardrailRow(r: Row): GuardrailRow {
  const estimable = str(r, 'status') === 'ok' || num(r, 'noninferiority_p_value') !== null;
  const pass = bool(r, 'guardrail_pass');
  const harm = bool(r, 'guardrail_harm');
  const verdict = harm ? 'harm' : pass === true ? 'pass' : pass === false ? 'fail' : 'not estimable';
  const relativeOk = str(r, 'status') === 'ok' && (str(r, 'relative_status') ?? 'ok') === 'ok';
  return {
    metric: str(r, 'metric') ?? '?',
    variant: str(r, 'variant') ?? '?',
    direction: str(r, 'direction') ?? 'increase',
    margin: fmtPercent(num(r, 'guardrail_margin')),
    relative: relativeOk ? fmtLift(num(r, 'relative_lift')) : '—',
    relativeCi: relativeOk ? fmtLiftCi(num(r, 'relative_ci_lower'), num(r, 'relative_ci_upper')) : '',
    bound: fmtSignedPercent(num(r, 'noninferiority_bound')),
    pValue: fmtPValue(num(r, 'noninferiority_p_value')),
    verdict,
    estimable,
    reason: verdict === 'not estimable' ? notEstimable(str(r, 'reason') ?? str(r, 'relative_reason'), str(r, 'reason_detail')) : null,
  };
}

export function guardrailsSection(inputs: ReportInputs): Section<GuardrailRow> {
  if (!inputs.experiment.guardrails.length) return { status: 'missing', note: 'the experiment has no guardrail metrics', rows: [] };
  const state = sectionState(inputs, TABLE);
  if (state.status !== 'ok') return { ...state, rows: [] };
  const rows = orderedResults(inputs, TABLE).filter((r) => roleOf(inputs, r) === 'guardrail').map(guardrailRow);
  return {
    status: rows.length ? 'ok' : 'missing',
    note: rows.length
      ? 'non-inferiority: a guardrail passes when the one-sided bound of its relative change stays within the margin (p < alpha); harm: significantly worse'
      : 'no guardrail rows in analysis_results',
    rows,
  };
}
