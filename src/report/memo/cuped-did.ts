/**
 * CUPED (raw vs adjusted, variance reduction), difference-in-differences and the
 * pre-trend verdict, from exp.analysis_results_cuped, exp.did_results and
 * exp.did_pretrend_tests.
 */
import { fmtCount, fmtNumber, fmtPercent, fmtPValue } from '../format.ts';
import type { ReportInputs } from '../inputs.ts';
import type { CupedRow, DidRow, PretrendRow, Section } from '../memo-data.ts';
import { num, str } from '../rows.ts';
import { orderedResults } from './metrics.ts';
import { sectionState } from './section-state.ts';
import { fmtDifference, fmtDifferenceCi, fmtLift, fmtLiftCi, notEstimable } from './values.ts';

export function cupedSection(inputs: ReportInputs): Section<CupedRow> {
  const state = sectionState(inputs, 'analysis_results_cuped');
  if (state.status !== 'ok') return { ...state, rows: [] };
  const rows = orderedResults(inputs, 'analysis_results_cuped').map((r): CupedRow => {
    const applied = str(r, 'status') === 'ok';
    const relative = num(r, 'raw_relative_lift') !== null;
    return {
      metric: str(r, 'metric') ?? '?',
      variant: str(r, 'variant') ?? '?',
      applied,
      correlation: fmtNumber(num(r, 'correlation'), 2),
      varianceReduction: applied ? fmtPercent(num(r, 'variance_reduction')) : '—',
      raw: relative ? fmtLift(num(r, 'raw_relative_lift')) : fmtDifference(str(r, 'metric_type') ?? 'mean', num(r, 'raw_lift')),
      rawCi: relative ? fmtLiftCi(num(r, 'raw_relative_ci_lower'), num(r, 'raw_relative_ci_upper'))
        : fmtDifferenceCi(str(r, 'metric_type') ?? 'mean', num(r, 'raw_ci_lower'), num(r, 'raw_ci_upper')),
      rawP: fmtPValue(num(r, 'raw_p_value')),
      adjusted: !applied ? '—' : relative ? fmtLift(num(r, 'adjusted_relative_lift')) : fmtDifference(str(r, 'metric_type') ?? 'mean', num(r, 'adjusted_lift')),
      adjustedCi: !applied ? '' : relative ? fmtLiftCi(num(r, 'adjusted_relative_ci_lower'), num(r, 'adjusted_relative_ci_upper'))
        : fmtDifferenceCi(str(r, 'metric_type') ?? 'mean', num(r, 'adjusted_ci_lower'), num(r, 'adjusted_ci_upper')),
      adjustedP: applied ? fmtPValue(num(r, 'adjusted_p_value')) : '—',
      reason: applied ? null : cupedReason(str(r, 'reason'), str(r, 'reason_detail')),
    };
  });
  return { status: 'ok', note: 'CUPED adjusts each user\'s value by the pre-period value of the same metric (theta pooled over arms); the lift is relative to control', rows };
}

/** CUPED that was not applied is a choice (weak covariate), not a failure: say which. */
function cupedReason(reason: string | null, detail: string | null): string {
  if (reason && /CORRELATION|NOT_APPLIED|WEAK/i.test(reason)) return `not applied: ${detail ?? reason}`;
  return notEstimable(reason, detail);
}

export function didSection(inputs: ReportInputs): Section<DidRow> {
  if (inputs.experiment.pre_period_days === 0) return { status: 'missing', note: 'the experiment has no pre period (pre_period_days: 0)', rows: [] };
  const state = sectionState(inputs, 'did_results');
  if (state.status !== 'ok') return { ...state, rows: [] };
  const rows = orderedResults(inputs, 'did_results').map((r): DidRow => {
    const type = str(r, 'metric_type') ?? 'mean';
    const estimable = str(r, 'status') === 'ok';
    return {
      metric: str(r, 'metric') ?? '?',
      variant: str(r, 'variant') ?? '?',
      controlChange: fmtDifference(type, num(r, 'control_change')),
      treatmentChange: fmtDifference(type, num(r, 'treatment_change')),
      estimate: estimable ? fmtDifference(type, num(r, 'estimate')) : '—',
      ci: estimable ? fmtDifferenceCi(type, num(r, 'ci_lower'), num(r, 'ci_upper')) : '',
      pValue: estimable ? fmtPValue(num(r, 'p_value')) : '—',
      estimable,
      reason: estimable ? null : notEstimable(str(r, 'reason'), str(r, 'reason_detail')),
    };
  });
  const days = num(inputs.tables['did_results']?.[0], 'pre_period_days') ?? inputs.experiment.pre_period_days;
  return { status: 'ok', note: `change from the ${fmtCount(days)}-day pre period to the experiment window, treatment minus control (per-user means)`, rows };
}

export function pretrendsSection(inputs: ReportInputs): Section<PretrendRow> {
  if (inputs.experiment.pre_period_days === 0) return { status: 'missing', note: 'the experiment has no pre period (pre_period_days: 0)', rows: [] };
  const state = sectionState(inputs, 'did_pretrend_tests');
  if (state.status !== 'ok') return { ...state, rows: [] };
  const rows = orderedResults(inputs, 'did_pretrend_tests').map((r): PretrendRow => {
    const estimable = str(r, 'status') === 'ok';
    return {
      metric: str(r, 'metric') ?? '?',
      variant: str(r, 'variant') ?? '?',
      verdict: str(r, 'verdict') ?? (estimable ? 'unknown' : 'not estimable'),
      days: fmtCount(num(r, 'days_used', 'pre_days')),
      slope: estimable ? fmtNumber(num(r, 'slope')) : '—',
      slopeP: estimable ? fmtPValue(num(r, 'slope_p_value')) : '—',
      jointP: estimable ? fmtPValue(num(r, 'joint_p_value')) : '—',
      reason: estimable ? null : notEstimable(str(r, 'reason'), str(r, 'reason_detail')),
    };
  });
  return { status: 'ok', note: 'parallel trends: before exposure the daily treatment − control difference should be flat (slope test) and zero (joint test)', rows };
}
