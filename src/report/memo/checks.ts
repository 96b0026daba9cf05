/**
 * Trustworthiness: sample-ratio mismatch (the SRM plugin's test over exp.srm_counts) and
 * the data-quality checks of exp.dq_results.
 */
import { fmtCount, fmtNumber, fmtP, fmtPercent } from '../format.ts';
import type { ReportInputs } from '../inputs.ts';
import type { DataQualitySection, DqLine, SrmSection } from '../memo-data.ts';
import { sectionState } from './section-state.ts';

export function srmSection(inputs: ReportInputs): SrmSection {
  const variants = [inputs.experiment.control, ...inputs.experiment.treatments];
  const counts = inputs.srmCounts
    .filter((c) => c.grain === 'overall')
    .sort((a, b) => variants.indexOf(a.variant) - variants.indexOf(b.variant))
    .map((c) => ({
      variant: c.variant,
      expectedShare: fmtPercent(c.expected_share),
      observed: fmtCount(c.observed),
      observedShare: fmtPercent(c.observed_share),
      expected: fmtCount(c.expected),
    }));
  const state = sectionState(inputs, 'srm_results');
  const results = inputs.tables.srm_results;
  const overall = results.find((r) => r.grain === 'overall');
  if (state.status !== 'ok' || !overall) {
    const note = state.note ?? 'the SRM plugin wrote no overall row';
    return { status: counts.length ? 'ok' : state.status === 'ok' ? 'missing' : state.status, note: counts.length ? `counts only; ${note}` : note, rows: counts, verdict: null, mismatch: null, daily: null };
  }
  const mismatch = overall.mismatch ?? null;
  const estimable = overall.status === 'ok';
  const verdict = !estimable
    ? `not estimable (${overall.reason ?? 'unknown reason'})`
    : `chi-square ${fmtP(overall.p_value)} (threshold ${fmtNumber(overall.threshold)}): ${mismatch ? 'sample-ratio mismatch, the split is not what was planned' : 'no mismatch'}`;
  const daily = results.filter((r) => r.grain === 'daily');
  const flagged = daily.filter((r) => r.mismatch === true).length;
  return {
    status: 'ok',
    note: null,
    rows: counts,
    verdict,
    mismatch,
    daily: daily.length ? `${fmtCount(flagged)} of ${fmtCount(daily.length)} days below the threshold (cumulative counts to each day)` : null,
  };
}

function dqLine(r: ReportInputs['dq'][number]): DqLine {
  const rate = r.check_name !== 'exposures_min_count';
  return {
    check: r.check_name,
    status: r.status,
    severity: r.severity,
    observed: rate ? fmtPercent(r.observed) : fmtCount(r.observed),
    threshold: rate ? fmtPercent(r.threshold) : fmtCount(r.threshold),
    details: r.details,
  };
}

export function dataQualitySection(inputs: ReportInputs): DataQualitySection {
  const dqStep = inputs.steps.find((s) => s.node === 'dq_results');
  if (dqStep?.status === 'skipped' && dqStep.reason === 'flag') {
    return { status: 'skipped', note: 'skipped with --skip-dq: the data was not checked in this build', rows: [], summary: null };
  }
  if (!inputs.dq.length) return { status: 'missing', note: 'exp.dq_results has no rows for this experiment', rows: [], summary: null };
  const n = (s: string) => inputs.dq.filter((r) => r.status === s).length;
  return {
    status: 'ok',
    note: null,
    rows: inputs.dq.map(dqLine),
    summary: `${inputs.dq.length} checks: ${n('pass')} passed, ${n('warn')} warned, ${n('fail')} failed`,
  };
}
