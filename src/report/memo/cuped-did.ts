/**
 * CUPED (raw vs adjusted, variance reduction), difference-in-differences and the
 * pre-trend verdict, from exp.analysis_results_cuped, exp.did_results and
 * exp.did_pretrend_tests.
 */
import { fmtCount, fmtNumber, fmtPercent, fmtPValue } from '../format.ts';
import type { ReportInputs } from '../inputs.ts';
import type { CupedLine, DidLine, PretrendLine, Section } from '../memo-data.ts';
import { orderedResults } from './metrics.ts';
import { sectionState } from './section-state.ts';
import { fmtDifference, fmtDifferenceCi, fmtLift, fmtLiftCi, notEstimable } from './values.ts';

export function cupedSection(inputs: ReportInputs): Section<CupedLine> {
  const state = sectionState(inputs, 'analysis_results_cuped');
  if (state.status !== 'ok') return { ...state, rows: [] };
  const rows = orderedResults(inputs, inputs.tables.analysis_results_cuped).map((r): CupedLine => {
    const applied = r.status === 'ok';
    const relative = (r.raw_relative_lift ?? null) !== null;
    const type = r.metric_type ?? 'mean';
    return {
      metric: r.metric ?? '?',
      variant: r.variant ?? '?',
      applied,
      correlation: fmtNumber(r.correlation, 2),
      varianceReduction: applied ? fmtPercent(r.variance_reduction) : '—',
      raw: relative ? fmtLift(r.raw_relative_lift) : fmtDifference(type, r.raw_lift),
      rawCi: relative ? fmtLiftCi(r.raw_relative_ci_lower, r.raw_relative_ci_upper)
        : fmtDifferenceCi(type, r.raw_ci_lower, r.raw_ci_upper),
      rawP: fmtPValue(r.raw_p_value),
      adjusted: !applied ? '—' : relative ? fmtLift(r.adjusted_relative_lift) : fmtDifference(type, r.adjusted_lift),
      adjustedCi: !applied ? '' : relative ? fmtLiftCi(r.adjusted_relative_ci_lower, r.adjusted_relative_ci_upper)
        : fmtDifferenceCi(type, r.adjusted_ci_lower, r.adjusted_ci_upper),
      adjustedP: applied ? fmtPValue(r.adjusted_p_value) : '—',
      reason: applied ? null : cupedReason(r.reason ?? null, r.reason_detail ?? null),
    };
  });
  return { status: 'ok', note: 'CUPED adjusts each user\'s value by the pre-period value of the same metric (theta pooled over arms); the lift is relative to control', rows };
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
    return {
      metric: r.metric ?? '?',
      variant: r.variant ?? '?',
      controlChange: fmtDifference(type, r.control_change),
      treatmentChange: fmtDifference(type, r.treatment_change),
      estimate: estimable ? fmtDifference(type, r.estimate) : '—',
      ci: estimable ? fmtDifferenceCi(type, r.ci_lower, r.ci_upper) : '',
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
      slope: estimable ? fmtNumber(r.slope) : '—',
      slopeP: estimable ? fmtPValue(r.slope_p_value) : '—',
      jointP: estimable ? fmtPValue(r.joint_p_value) : '—',
      reason: estimable ? null : notEstimable(r.reason, r.reason_detail),
    };
  });
  return { status: 'ok', note: 'parallel trends: before exposure the daily treatment − control difference should be flat (slope test) and zero (joint test)', rows };
}
