/**
 * CUPED (raw vs adjusted, variance reduction), difference-in-differences and the
 * pre-trend verdict, from exp.analysis_results_cuped, exp.did_results and
 * exp.did_pretrend_tests.
 *
 * Where CUPED is the pre-registered estimator, the A/B plugin's row (Key metrics) is the
 * CUPED result: the CUPED columns show its numbers and its raw lift beside them, so the
 * memo never gives two intervals for one estimate. The CUPED plugin's own row supplies the
 * correlation and variance reduction, and the numbers where A/B did not use CUPED.
 */
import type { AbRow, CupedRow } from '../../analyses/tables.ts';
import { fmtCount, fmtNumber, fmtPercent, fmtPValue } from '../format.ts';
import type { ReportInputs } from '../inputs.ts';
import type { CupedLine, DidLine, PretrendLine, Section } from '../memo-data.ts';
import { orderedResults } from './metrics.ts';
import { sectionState } from './section-state.ts';
import { fmtDifferenceCi, fmtLiftCi, fmtSlope, notEstimable } from './values.ts';

/** A lift and its interval: relative when known, else the absolute difference of the metric's type. */
function liftOf(type: string, rel: readonly [number | null | undefined, number | null | undefined, number | null | undefined],
  abs: readonly [number | null | undefined, number | null | undefined, number | null | undefined]): { value: string; ci: string } {
  return (rel[0] ?? null) !== null ? fmtLiftCi(...rel) : fmtDifferenceCi(type, ...abs);
}

function cupedLine(r: CupedRow, ab: AbRow | undefined): CupedLine {
  const type = r.metric_type ?? 'mean';
  // the A/B row is the CUPED estimate when CUPED is the metric's pre-registered estimator
  const pre = ab?.estimator === 'cuped' && ab.status === 'ok' ? ab : undefined;
  const applied = pre !== undefined || r.status === 'ok';
  const raw = pre && (pre.raw_relative_lift ?? null) !== null
    ? { ...fmtLiftCi(pre.raw_relative_lift, pre.raw_relative_ci_lower, pre.raw_relative_ci_upper), p: pre.raw_p_value }
    : { ...liftOf(type, [r.raw_relative_lift, r.raw_relative_ci_lower, r.raw_relative_ci_upper], [r.raw_lift, r.raw_ci_lower, r.raw_ci_upper]), p: r.raw_p_value };
  const adjusted = pre
    ? { ...liftOf(type, [pre.relative_lift, pre.relative_ci_lower, pre.relative_ci_upper], [pre.absolute_lift, pre.absolute_ci_lower, pre.absolute_ci_upper]), p: pre.p_value }
    : { ...liftOf(type, [r.adjusted_relative_lift, r.adjusted_relative_ci_lower, r.adjusted_relative_ci_upper], [r.adjusted_lift, r.adjusted_ci_lower, r.adjusted_ci_upper]), p: r.adjusted_p_value };
  return {
    metric: r.metric ?? '?',
    variant: r.variant ?? '?',
    applied,
    correlation: fmtNumber(r.correlation, 2),
    varianceReduction: applied && r.status === 'ok' ? fmtPercent(r.variance_reduction, 1) : '—',
    raw: (r.raw_lift ?? r.raw_relative_lift ?? pre?.raw_relative_lift ?? null) === null ? '—' : raw.value,
    rawCi: raw.ci,
    rawP: fmtPValue(raw.p),
    adjusted: applied ? adjusted.value : '—',
    adjustedCi: applied ? adjusted.ci : '',
    adjustedP: applied ? fmtPValue(adjusted.p) : '—',
    reason: applied && r.status === 'ok' ? null
      : pre ? `${cupedReason(r.reason ?? null, r.reason_detail ?? null)}; the pre-registered estimator applies CUPED whatever the correlation, so these are the Key metrics numbers`
      : cupedReason(r.reason ?? null, r.reason_detail ?? null),
  };
}

export function cupedSection(inputs: ReportInputs): Section<CupedLine> {
  const state = sectionState(inputs, 'analysis_results_cuped');
  if (state.status !== 'ok') return { ...state, rows: [] };
  const ab = (r: CupedRow) => inputs.tables.analysis_results.find((a) => a.metric === r.metric && a.variant === r.variant);
  const rows = orderedResults(inputs, inputs.tables.analysis_results_cuped).map((r) => cupedLine(r, ab(r)));
  return { status: 'ok', note: 'CUPED adjusts each user\'s value by the pre-period value of the same metric (theta pooled over arms); a ratio metric\'s ratio is adjusted by its pre-period ratio (the delta method over the numerator and denominator of both periods, as GrowthBook\'s regression-adjusted ratio); the lift is relative to control. Where CUPED is the pre-registered estimator, the CUPED columns are the Key metrics numbers', rows };
}

/** CUPED that was not applied is a choice (weak covariate), not a failure: say which. */
function cupedReason(reason: string | null, detail: string | null): string {
  if (reason && /CORRELATION|NOT_APPLIED|WEAK/i.test(reason)) return `not applied: ${detail ?? reason}`;
  return notEstimable(reason, detail);
}

export function didSection(inputs: ReportInputs): Section<DidLine> {
  if (inputs.experiment.pre_period_days === 0) return { status: 'missing', note: 'the experiment has no pre period (pre_period_days: 0)', rows: [] };
  const state = sectionState(inputs, 'did_results');
  if (state.status !== 'ok') return { ...state, rows: [] };
  const rows = orderedResults(inputs, inputs.tables.did_results).map((r): DidLine => {
    const type = r.metric_type ?? 'mean';
    const estimable = r.status === 'ok';
    const [control, treatment] = [r.control_change, r.treatment_change].map((x) => fmtDifferenceCi(type, x, r.control_change, r.treatment_change).value);
    const estimate = fmtDifferenceCi(type, r.estimate, r.ci_lower, r.ci_upper);
    return {
      metric: r.metric ?? '?',
      variant: r.variant ?? '?',
      controlChange: control ?? '—',
      treatmentChange: treatment ?? '—',
      estimate: estimable ? estimate.value : '—',
      ci: estimable ? estimate.ci : '',
      pValue: estimable ? fmtPValue(r.p_value) : '—',
      estimable,
      reason: estimable ? null : notEstimable(r.reason, r.reason_detail),
    };
  });
  const days = inputs.tables.did_results[0]?.pre_period_days ?? inputs.experiment.pre_period_days;
  return { status: 'ok', note: `change from the ${fmtCount(days)}-day pre period to the experiment window, treatment minus control (per-user means)`, rows };
}

export function pretrendsSection(inputs: ReportInputs): Section<PretrendLine> {
  if (inputs.experiment.pre_period_days === 0) return { status: 'missing', note: 'the experiment has no pre period (pre_period_days: 0)', rows: [] };
  const state = sectionState(inputs, 'did_pretrend_tests');
  if (state.status !== 'ok') return { ...state, rows: [] };
  const rows = orderedResults(inputs, inputs.tables.did_pretrend_tests).map((r): PretrendLine => {
    const estimable = r.status === 'ok';
    return {
      metric: r.metric ?? '?',
      variant: r.variant ?? '?',
      verdict: r.verdict ?? (estimable ? 'unknown' : 'not estimable'),
      days: fmtCount(r.days_used ?? r.pre_days),
      slope: estimable ? fmtSlope(r.metric_type ?? 'mean', r.slope) : '—',
      slopeP: estimable ? fmtPValue(r.slope_p_value) : '—',
      jointP: estimable ? fmtPValue(r.joint_p_value) : '—',
      reason: estimable ? null : notEstimable(r.reason, r.reason_detail),
    };
  });
  return { status: 'ok', note: 'parallel trends: before exposure the daily treatment − control difference should be flat (slope test) and zero (joint test)', rows };
}
