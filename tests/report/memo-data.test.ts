/** MemoData from constructed result rows: a pure function, section by section. */
import { describe, expect, it } from 'vitest';
import { buildMemoData } from '../../src/report/build-memo-data.ts';
import { toneOf } from '../../src/report/memo/headline.ts';
import type { DecisionRow } from '../../src/analyses/tables.ts';
import type { ReportInputs } from '../../src/report/inputs.ts';
import { abRow, experiment, inputs, step } from './support/inputs.ts';

/** A decisions row as the reader hands it over (json columns parsed). */
const decision = (over: DecisionRow = {}): DecisionRow => ({
  decision: 'ship', rule: 'win', headline: 'treatment raises conversion', best_treatment: 'treatment',
  primary_relative_lift: 0.031, primary_relative_ci_lower: 0.012, primary_relative_ci_upper: 0.05, primary_p_value_adjusted: 0.0042,
  sequential: true, look: 2, planned_looks: 4, information_fraction: 0.5, is_final: false, next_information_fraction: 0.75, next_boundary: 2.34,
  mde_relative: 0.042,
  reasons: [
    { code: 'PRIMARY_WIN', kind: 'blocking', message: 'conversion +3.1% is significant (adjusted p = 0.0042)' },
    'all guardrails pass',
    { code: 'GUARDRAIL_NI', kind: 'blocking', variant: 'widget_b', message: 'guardrail bounce_rate is not shown non-inferior' },
    { code: 'DQ_WARN', kind: 'note', message: 'exposures_duplicate_rows warned' },
  ],
  ...over,
});

describe('memo data', () => {
  it('headline: decision, reasons, primary result and sequential progress from the decisions row', () => {
    const m = buildMemoData(inputs({ tables: { decisions: [decision()], analysis_results: [abRow()] } }));
    expect(m.headline).toEqual({
      status: 'ok', note: null, decision: 'ship', label: 'Ship treatment', tone: 'ship', summary: 'treatment raises conversion', rule: 'win',
      ruleText: 'win: the primary metric is significantly better and no guardrail is worse',
      reasons: ['conversion +3.1% is significant (adjusted p = 0.0042)', 'all guardrails pass', 'widget_b: guardrail bounce_rate is not shown non-inferior'], notes: ['exposures_duplicate_rows warned'], bestTreatment: 'treatment',
      primary: 'conversion (treatment vs control, raw): +3.1% [+1.2%, +5.0%], adjusted p = 0.0042',
      progress: 'look 2 of 4 at 50.0% of the planned information; the next look (at 75.0%) must cross |z| ≥ 2.34',
      mde: 'the smallest relative effect this experiment can detect on conversion: 4.2%',
    });
  });

  it('headline: untrustworthy leads with investigate and no ship recommendation', () => {
    const m = buildMemoData(inputs({ tables: { decisions: [decision({ decision: 'investigate', best_treatment: null })] } }));
    expect(m.headline.tone).toBe('investigate');
    expect(m.headline.label).not.toMatch(/ship/i);
    expect(m.headline.primary).toContain('not to be acted on');
  });

  // the decision codes are the closed set of analyses/lib/decision-rules.ts; any other spelling is not one of them
  it.each([
    ['ship', 'ship'], ['dont-ship', 'stop'], ['keep-running', 'wait'], ['no-detectable-effect', 'neutral'], ['investigate', 'investigate'],
    [null, 'unknown'], ['something_new', 'unknown'], ['dont_ship', 'unknown'], ['keep_running', 'unknown'], ['no_detectable_effect', 'unknown'],
  ])('decision %s reads as tone %s', (code, tone) => expect(toneOf(code, 'b').tone).toBe(tone));

  it('no decision plugin: says so and still shows the primary metric', () => {
    const m = buildMemoData(inputs({ writers: { analysis_results: 'ab' }, tables: { analysis_results: [abRow()] } }));
    expect(m.headline).toMatchObject({ status: 'missing', label: 'No decision', tone: 'unknown', note: 'no analysis plugin writes decisions (analyses/*.ts)' });
    expect(m.headline.primary).toBe('conversion (treatment vs control, raw): +3.1% [+1.2%, +5.0%], adjusted p = 0.0042');
  });

  it('headline: the primary names its estimator; a final look that ends the window early says so', () => {
    const d = decision({ decision: 'no-detectable-effect', rule: 'inconclusive', look: 1, planned_looks: 5, information_fraction: 0.848, is_final: true, next_boundary: null });
    const m = buildMemoData(inputs({ tables: {
      decisions: [d], analysis_results: [abRow({ estimator: 'cuped' })],
      sequential_looks: [{ look: 1, is_current: true, variant: 'treatment', status: 'ok', planned_looks: 5, information_fraction: 0.848, is_final_look: true, window_complete: true, z: 1.19, boundary: 1.96, alpha_spent: 0.05 }],
    } }));
    expect(m.headline.primary).toBe('conversion (treatment vs control, CUPED): +3.1% [+1.2%, +5.0%], adjusted p = 0.0042');
    expect(m.headline.progress).toBe('final look (the window is over) at 84.8% of the planned information — 1 of 5 planned looks taken');
    expect(m.headline.progress).not.toMatch(/look 1 of 5 \(/);
    expect(m.headline.ruleText).toBe('inconclusive: no significant effect on the primary metric');
    expect(m.sequential.position).toBe('final look (the window is over) — 1 of 5 planned looks taken');
    expect(m.sequential.alphaSpent).toBe('0.050 of 0.050');
  });

  it('the plugin\'s counts in reasons and notes get thousand separators, as the memo\'s own numbers', () => {
    const m = buildMemoData(inputs({ tables: { decisions: [decision({ headline: '28209 rows', reasons: [
      { code: 'SRM', kind: 'blocking', message: 'sample-ratio mismatch: p = 4.53e-16 < 0.001; control 7508, treatment 8537' },
      { code: 'DQ_WARN', kind: 'note', message: '174 of 17811 exposure rows repeat on 2026-01-05' },
    ] })] } }));
    expect(m.headline.summary).toBe('28,209 rows');
    expect(m.headline.reasons).toEqual(['sample-ratio mismatch: p = 4.53e-16 < 0.001; control 7,508, treatment 8,537']);
    expect(m.headline.notes).toEqual(['174 of 17,811 exposure rows repeat on 2026-01-05']);
  });

  it('the lifecycle status is in the header: a draft says its looks are not recorded', () => {
    expect(buildMemoData(inputs({ ledger: { status: 'draft' } })).experiment).toMatchObject({
      status: 'draft', statusNote: 'draft — results are not recorded as looks until `xp experiment start exp_memo`',
    });
    expect(buildMemoData(inputs({ ledger: { status: 'running' } })).experiment.statusNote).toMatch(/^running — /);
    expect(buildMemoData(inputs()).experiment).toMatchObject({ status: null, statusNote: null });
  });

  it('key metrics: formatted per type; guardrails apart, with their verdict', () => {
    const rows = [
      abRow(),
      abRow({ metric: 'revenue', metric_type: 'mean', metric_role: 'secondary', control_mean: 12.5, treatment_mean: 12.61, absolute_lift: 0.11, absolute_ci_lower: -0.05, absolute_ci_upper: 0.27, relative_lift: 0.0088, relative_ci_lower: -0.004, relative_ci_upper: 0.0216, p_value: 0.18, p_value_adjusted: 0.18, significant: false, outcome: 'inconclusive' }),
      abRow({ metric: 'bounce_rate', metric_role: 'guardrail', direction: 'decrease', relative_lift: -0.01, relative_ci_lower: -0.03, relative_ci_upper: 0.012, guardrail_margin: 0.01, noninferiority: true, noninferiority_bound: 0.009, noninferiority_p_value: 0.03, guardrail_pass: true, guardrail_harm: false, harm_p_value: 0.8, harm_alpha: 0.025, harm_bound: 0.02 }),
    ];
    const m = buildMemoData(inputs({ tables: { analysis_results: rows } }));
    expect(m.metrics.rows.map((r) => [r.metric, r.role])).toEqual([['conversion', 'primary'], ['revenue', 'secondary']]);
    expect(m.metrics.rows[0]).toMatchObject({
      users: '12,345 / 12,301', control: '10.0%', treatment: '10.3%', absolute: '+0.31 pp', absoluteCi: '[+0.12 pp, +0.50 pp]', estimator: 'raw', scale: 'share of users',
      relative: '+3.1%', relativeCi: '[+1.2%, +5.0%]', pValue: '0.0042', pAdjusted: '0.0042', chanceToBeat: '99.7%', significant: 'yes', outcome: 'better', reason: null,
    });
    expect(m.metrics.rows[1]).toMatchObject({ control: '12.5', treatment: '12.6', absolute: '+0.110', absoluteCi: '[-0.050, +0.270]', significant: 'no', scale: 'per user' });
    expect(m.metrics.definitions).toEqual([
      { metric: 'conversion', scale: 'share of users', description: null },
      { metric: 'revenue', scale: 'per user', description: null },
    ]);
    expect(m.guardrails.rows).toEqual([{
      metric: 'bounce_rate', variant: 'treatment', direction: 'decrease', relative: '-1.0%', relativeCi: '[-3.0%, +1.2%]',
      harmP: '0.80 (α = 0.025)', worst: '+2.0%', noninferiority: 'shown at +1.0% (p = 0.030)', verdict: 'pass', label: 'non-inferior', estimable: true, reason: null,
    }]);
  });

  it('key metrics label the estimator and say what a value is: a unit, per user, per purchase', () => {
    const metrics = {
      conversion: { type: 'binomial', event: 'purchase', direction: 'increase', guardrail: false, noninferiority: false },
      revenue: { type: 'mean', event: 'purchase', value: 'value', direction: 'increase', guardrail: false, noninferiority: false, description: 'Revenue per exposed user.', unit: 'EUR' },
      aov: { type: 'ratio', numerator: { event: 'purchase', value: 'value' }, denominator: { event: 'purchase' }, direction: 'increase', guardrail: false, noninferiority: false },
    } as unknown as ReportInputs['metrics'];
    const rows = [
      abRow({ estimator: 'cuped' }),
      abRow({ metric: 'revenue', metric_type: 'mean', metric_role: 'secondary', estimator: 'cuped', control_mean: 1.43, treatment_mean: 1.45 }),
      abRow({ metric: 'aov', metric_type: 'ratio', metric_role: 'secondary', estimator: 'raw', control_mean: 12.5, treatment_mean: 12.1 }),
    ];
    const m = buildMemoData(inputs({ metrics, experiment: experiment({ secondary_metrics: ['revenue', 'aov'], metricNames: ['conversion', 'revenue', 'aov', 'bounce_rate'] }), tables: { analysis_results: rows } }));
    expect(m.metrics.rows.map((r) => [r.metric, r.estimator, r.scale, r.control])).toEqual([
      ['conversion', 'CUPED', 'share of users', '10.0%'], ['revenue', 'CUPED', 'EUR per user', '1.43 EUR'], ['aov', 'raw', 'per purchase', '12.5'],
    ]);
    expect(m.metrics.definitions[1]).toEqual({ metric: 'revenue', scale: 'EUR per user', description: 'Revenue per exposed user' });
    expect(m.metrics.note).toContain('pre-registered estimator (CUPED');
  });

  it('CUPED table: where CUPED is the estimator its columns are the Key metrics numbers, the raw ones beside them', () => {
    const ab = abRow({ estimator: 'cuped', relative_lift: 0.044, relative_ci_lower: -0.0303, relative_ci_upper: 0.118, p_value: 0.24, raw_relative_lift: 0.044, raw_relative_ci_lower: -0.0302, raw_relative_ci_upper: 0.124, raw_p_value: 0.25 });
    // the CUPED plugin's own interval for the same estimate differs in the last digits: it must not show
    const cuped = { metric: 'conversion', metric_type: 'binomial', variant: 'treatment', status: 'ok', correlation: 0.25, variance_reduction: 0.0621,
      raw_relative_lift: 0.044, raw_relative_ci_lower: -0.0327, raw_relative_ci_upper: 0.121, raw_p_value: 0.25, raw_lift: 0.0043,
      adjusted_relative_lift: 0.044, adjusted_relative_ci_lower: -0.0299, adjusted_relative_ci_upper: 0.1175, adjusted_p_value: 0.239 };
    const weak = { metric: 'bounce_rate', metric_type: 'binomial', variant: 'treatment', status: 'not-applied', reason: 'WEAK_CORRELATION', reason_detail: '|corr| = 0.059 < 0.1', correlation: 0.059 };
    const abWeak = abRow({ metric: 'bounce_rate', metric_role: 'guardrail', estimator: 'cuped', relative_lift: -0.005, relative_ci_lower: -0.042, relative_ci_upper: 0.032, p_value: 0.79, raw_relative_lift: -0.007, raw_relative_ci_lower: -0.043, raw_relative_ci_upper: 0.031, raw_p_value: 0.72 });
    const m = buildMemoData(inputs({ tables: { analysis_results: [ab, abWeak], analysis_results_cuped: [cuped, weak] } }));
    const key = m.metrics.rows[0]!;
    expect(m.cuped.rows[0]).toMatchObject({ adjusted: key.relative, adjustedCi: key.relativeCi, adjustedP: key.pValue, raw: '+4.4%', rawCi: '[-3.0%, +12.4%]', rawP: '0.25', varianceReduction: '6.2%', reason: null });
    expect(m.cuped.rows[1]).toMatchObject({ adjusted: '-0.5%', adjustedCi: '[-4.2%, +3.2%]', raw: '-0.7%', applied: true });
    expect(m.cuped.rows[1]!.reason).toContain('the pre-registered estimator applies CUPED whatever the correlation');
  });

  it('not estimable: no numbers, the reason in words and its code', () => {
    const row = abRow({ status: 'not-estimable', reason: 'EMPTY_VARIANT', reason_detail: 'treatment has n = 0', treatment_n: 0, treatment_mean: null, absolute_lift: null, relative_lift: null, p_value: null, significant: null, outcome: null, bayes_status: 'not-estimable' });
    const r = buildMemoData(inputs({ tables: { analysis_results: [row] } })).metrics.rows[0]!;
    expect(r).toMatchObject({ estimable: false, absolute: '—', relative: '—', pValue: '—', significant: '—', outcome: 'not estimable', treatment: '—' });
    expect(r.reason).toBe('not estimable: an arm has no users (EMPTY_VARIANT: treatment has n = 0)');
  });

  it('a skipped analysis says why and shows no stale rows; fresh is not skipped', () => {
    const tables = { analysis_results: [abRow()], analysis_results_cuped: [{ metric: 'conversion', variant: 'treatment', status: 'ok' }] };
    const m = buildMemoData(inputs({ tables, steps: [step('analysis:ab', { status: 'skipped', reason: 'fresh' }), step('analysis:cuped', { status: 'skipped', reason: 'flag' })] }));
    expect(m.metrics.status).toBe('ok');
    expect(m.cuped).toEqual({ status: 'skipped', note: 'cuped: skipped with --skip-cuped', rows: [] });
    expect(m.skipped).toEqual([{ node: 'analysis:cuped', stage: 'cuped', reason: 'skipped with --skip-cuped' }]);
  });

  it('skips with upstream and optional failures in words', () => {
    const m = buildMemoData(inputs({ steps: [
      step('analysis:did', { status: 'skipped', reason: 'upstream-failed', upstream: 'metric_aggregates_overall' }),
      step('analysis:pretrends', { status: 'skipped', reason: 'optional-failed', message: 'boom' }),
      step('stg_exposures', { status: 'skipped', reason: 'fresh' }),
    ] }));
    expect(m.skipped.map((s) => s.reason)).toEqual(['skipped because metric_aggregates_overall failed', 'failed (optional stage, the build went on): boom']);
    expect(m.did.status).toBe('skipped');
  });

  it('SRM, data quality, sequential status and the reproducibility footer', () => {
    const m = buildMemoData(inputs({
      srmCounts: [
        { grain: 'overall', day: null, day_index: null, variant: 'treatment', expected_share: 0.5, observed: 5400, total: 10000, expected: 5000, observed_share: 0.54, observed_cum: 5400, total_cum: 10000, expected_cum: 5000 },
        { grain: 'overall', day: null, day_index: null, variant: 'control', expected_share: 0.5, observed: 4600, total: 10000, expected: 5000, observed_share: 0.46, observed_cum: 4600, total_cum: 10000, expected_cum: 5000 },
      ],
      dq: [{ check_name: 'multi_variant_users', status: 'fail', severity: 'error', observed: 0.02, threshold: 0.001, details: '200 of 10000 users' },
        { check_name: 'exposures_min_count', status: 'pass', severity: 'error', observed: 10000, threshold: 100, details: '10000 users' }],
      tables: {
        srm_results: [{ grain: 'overall', status: 'ok', p_value: 1e-15, threshold: 0.001, mismatch: true }, { grain: 'daily', mismatch: true }, { grain: 'daily', mismatch: false }],
        sequential_looks: [
          { look: 1, is_current: false, variant: 'treatment', status: 'ok', information_fraction: 0.25, z: 1.1, boundary: 4.33, alpha_spent: 0.00001, crossed: false, decision: 'continue' },
          { look: 2, is_current: true, variant: 'treatment', status: 'ok', planned_looks: 4, information_fraction: 0.5, z: 2.1, boundary: 2.96, alpha_spent: 0.0031, crossed: false, decision: 'continue', next_information_fraction: 0.75, next_boundary: 2.36 },
        ],
      },
      ledger: { configHash: 'c0ffee', inputHash: 'feed', inputObjects: 2, inputBytes: 1_536_000 },
      fingerprints: [{ node: 'analysis:ab', fingerprint: 'aa' }, { node: 'exposures', fingerprint: 'bb' }],
    }));
    expect(m.srm.rows.map((r) => [r.variant, r.observed, r.observedShare, r.expectedShare])).toEqual([['control', '4,600', '46.0%', '50.0%'], ['treatment', '5,400', '54.0%', '50.0%']]);
    expect(m.srm).toMatchObject({ mismatch: true, verdict: 'chi-square p < 0.001 (threshold 0.001): sample-ratio mismatch, the split is not what was planned' });
    expect(m.srm.daily).toBe('1 of 2 days below the threshold (the same test on the cumulative counts up to each day, so the last day is the overall test)');
    expect(m.dataQuality.summary).toBe('2 checks: 1 passed, 0 warned, 1 failed');
    expect(m.dataQuality.counts).toMatch(/raw log rows .* users count each person once/);
    expect(m.dataQuality.rows[0]).toMatchObject({ check: 'multi_variant_users', observed: '2.00%', threshold: '0.10%', details: '200 of 10,000 users' });
    expect(m.dataQuality.rows[1]).toMatchObject({ observed: '10,000', threshold: '100', details: '10,000 users' });
    expect(m.sequential).toMatchObject({
      status: 'ok', position: 'look 2 of 4', alphaSpent: '0.0031 of 0.050', next: 'the next look (at 75.0% information) must cross |z| ≥ 2.36',
      design: '4 looks, obrien-fleming alpha spending, overall alpha 0.05, 10,000 users per arm planned',
    });
    expect(m.sequential.rows.map((r) => r.alphaSpent)).toEqual(['1.0 × 10⁻⁵', '0.0031']);
    expect(m.sequential.rows.map((r) => [r.look, r.z, r.boundary])).toEqual([['1', '1.10', '4.33'], ['2', '2.10', '2.96']]);
    expect(m.reproducibility).toEqual({ configHash: 'c0ffee', inputHash: 'feed', input: '2 raw objects, 1.5 MB', fingerprints: [{ node: 'analysis:ab', fingerprint: 'aa' }, { node: 'exposures', fingerprint: 'bb' }] });
  });

  it('the design header and the sections an experiment does not have', () => {
    const m = buildMemoData(inputs({ experiment: experiment({ pre_period_days: 0, sequential: undefined, guardrails: [], metricNames: ['conversion', 'revenue'] }) }));
    expect(m.experiment).toMatchObject({
      id: 'exp_memo', name: 'Memo test', window: '2026-01-05 to 2026-01-18 (14 days)', prePeriod: null,
      variants: [{ name: 'control', share: '50.0%', isControl: true }, { name: 'treatment', share: '50.0%', isControl: false }], correction: 'none needed (one treatment)',
    });
    expect(m.did.note).toBe('the experiment has no pre period (pre_period_days: 0)');
    expect(m.sequential.note).toMatch(/^fixed-horizon/);
    expect(m.guardrails.note).toBe('the experiment has no guardrail metrics');
  });

  it('data quality: counts are counts (not 675,300%), details lose the repeated fraction threshold and gain separators', () => {
    const m = buildMemoData(inputs({ dq: [
      { check_name: 'metric_events_conversion', status: 'pass', severity: 'error', observed: 6753, threshold: 1, details: 'metric conversion reads event "purchase", which occurs 6753 times in the outcomes; threshold: at least 1' },
      { check_name: 'raw_foreign_experiment_rows', status: 'pass', severity: 'error', observed: 0, threshold: 0, details: '0 raw rows; threshold: at most 0' },
      { check_name: 'exposures_outside_window', status: 'pass', severity: 'warn', observed: 0.00012, threshold: 0.01, details: '3 of 28209 exposure rows fall outside the window; threshold: at most 0.01' },
      { check_name: 'exposures_duplicate_rows', status: 'pass', severity: 'warn', observed: 0, threshold: 0.001, details: '0 of 28209 exposure rows repeat; threshold: at most 0.001' },
      { check_name: 'a_new_count_check', status: 'pass', severity: 'warn', observed: 12000, threshold: 10, details: 'x', unit: 'count' },
    ] }));
    expect(m.dataQuality.rows.map((r) => [r.observed, r.threshold])).toEqual([['6,753', '1'], ['0', '0'], ['0.01%', '1.00%'], ['0.00%', '0.10%'], ['12,000', '10']]);
    expect(m.dataQuality.rows[0]!.details).toBe('metric conversion reads event "purchase", which occurs 6,753 times in the outcomes');
    expect(m.dataQuality.rows[2]!.details).toBe('3 of 28,209 exposure rows fall outside the window');
  });

  it('pre-trend slopes in percentage points per day for rates, never a run of zeros', () => {
    const m = buildMemoData(inputs({ tables: { did_pretrend_tests: [
      { metric: 'conversion', metric_type: 'binomial', variant: 'treatment', status: 'ok', verdict: 'pass', days_used: 14, slope: -0.00000178, slope_p_value: 0.87, joint_p_value: 0.9 },
      { metric: 'revenue', metric_type: 'mean', variant: 'treatment', status: 'ok', verdict: 'pass', days_used: 14, slope: -0.000454, slope_p_value: 0.65, joint_p_value: 0.92 },
    ] } }));
    expect(m.pretrends.rows.map((r) => [r.slope, r.jointP])).toEqual([['-1.8 × 10⁻⁴ pp per day', '0.90'], ['-4.5 × 10⁻⁴ per day', '0.92']]);
  });

  it('a failed step the memo does not read is listed, as failed; the rule is in words', () => {
    const m = buildMemoData(inputs({ steps: [step('variant_summary', { status: 'error', message: 'Binder Error: column x not found' })] }));
    expect(m.skipped).toEqual([{ node: 'variant_summary', stage: 'variant_summary', reason: 'failed, and nothing in this memo reads it: Binder Error: column x not found' }]);
  });

  it('is a pure function: the same inputs give the same JSON', () => {
    const i = inputs({ tables: { decisions: [decision()], analysis_results: [abRow()] } });
    expect(JSON.stringify(buildMemoData(i))).toBe(JSON.stringify(buildMemoData(structuredClone(i))));
  });
});
