/**
 * Trustworthiness: sample-ratio mismatch (the SRM plugin's test over exp.srm_counts) and
 * the data-quality checks of exp.dq_results.
 */
import { decimalsFor, fmtCount, fmtP, fmtPercent, groupNumbersInText } from '../format.ts';
import type { DqResult, ReportInputs } from '../inputs.ts';
import type { DataQualitySection, DqLine, SrmSection } from '../memo-data.ts';
import { sectionState } from './section-state.ts';
import { srmDebugHeadline } from '../../analyses/lib/srm-debug-rows.ts';

export function srmSection(inputs: ReportInputs): SrmSection {
  const variants = [inputs.experiment.control, ...inputs.experiment.treatments];
  const counts = inputs.srmCounts
    .filter((c) => c.grain === 'overall')
    .sort((a, b) => variants.indexOf(a.variant) - variants.indexOf(b.variant))
    .map((c) => ({
      variant: c.variant,
      expectedShare: fmtPercent(c.expected_share, 1),
      observed: fmtCount(c.observed),
      observedShare: fmtPercent(c.observed_share, 1),
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
    : `chi-square ${fmtP(overall.p_value)} (threshold ${overall.threshold ?? '—'}): ${mismatch ? 'sample-ratio mismatch, the split is not what was planned' : 'no mismatch'}`;
  const daily = results.filter((r) => r.grain === 'daily');
  const flagged = daily.filter((r) => r.mismatch === true).length;
  return {
    status: 'ok',
    note: null,
    rows: counts,
    verdict,
    mismatch,
    daily: daily.length ? `${fmtCount(flagged)} of ${fmtCount(daily.length)} days below the threshold (the same test on the cumulative counts up to each day, so the last day is the overall test)` : null,
    ...(mismatch && inputs.srmDebug?.length
      ? { debug: srmDebugHeadline(inputs.srmDebug, variants) ?? 'no single dimension level or day is out of balance after Holm correction (the imbalance is spread thinly)' }
      : {}),
  };
}

/**
 * The checks of models/checks/dq_results.sql whose observed value is a count, not a rate;
 * a dq_results with a `unit` column says so itself.
 */
const COUNT_CHECKS: ReadonlySet<string> = new Set(['exposures_min_count', 'raw_foreign_experiment_rows']);
const isCount = (r: DqResult): boolean => (r.unit ? r.unit === 'count' : COUNT_CHECKS.has(r.check_name) || r.check_name.startsWith('metric_events_'));

/** One precision for every rate in the table: two significant digits of the smallest threshold. */
function rateDecimals(rows: readonly DqResult[]): number {
  const thresholds = rows.filter((r) => !isCount(r) && (r.threshold ?? 0) > 0).map((r) => r.threshold! * 100);
  return thresholds.length ? decimalsFor([Math.min(...thresholds)], 2, 1, 4) : 1;
}

function dqLine(r: DqResult, d: number): DqLine {
  const count = isCount(r);
  return {
    check: r.check_name,
    status: r.status,
    severity: r.severity,
    observed: count ? fmtCount(r.observed) : fmtPercent(r.observed, d),
    threshold: count ? fmtCount(r.threshold) : fmtPercent(r.threshold, d),
    // the threshold has its own column (as a percent): the model's "; threshold: at most 0.001" would repeat it as a fraction
    details: groupNumbersInText(r.details.replace(/; threshold: at (?:most|least) [\d.e+-]+$/, '')),
  };
}

export function dataQualitySection(inputs: ReportInputs): DataQualitySection {
  const dqStep = inputs.steps.find((s) => s.node === 'dq_results');
  if (dqStep?.status === 'skipped' && dqStep.reason === 'flag') {
    return { status: 'skipped', note: 'skipped with --skip-dq: the data was not checked in this build', rows: [], summary: null, counts: null };
  }
  if (!inputs.dq.length) return { status: 'missing', note: 'exp.dq_results has no rows for this experiment', rows: [], summary: null, counts: null };
  const n = (s: string) => inputs.dq.filter((r) => r.status === s).length;
  return {
    status: 'ok',
    note: null,
    rows: inputs.dq.map((r) => dqLine(r, rateDecimals(inputs.dq))),
    summary: `${inputs.dq.length} checks: ${n('pass')} passed, ${n('warn')} warned, ${n('fail')} failed`,
    counts: 'rows are raw log rows (a user exposed three times is three exposure rows); users count each person once, as in the analysis',
  };
}
