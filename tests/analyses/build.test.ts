/**
 * End to end: `xp build --generate-synth` on small synthetic experiments with known
 * properties, and the analysis tables it fills — a known lift detected with the right sign,
 * an SRM flagged, a pre-trend drift caught, an empty arm reported as not estimable while the
 * build succeeds, an A/B/n test adjusted by Holm — and the decisions that follow.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TempProject } from '../helpers/project.ts';
import { xp } from '../helpers/cli.ts';
import { analysisProject, METRICS, tableRows } from './support.ts';

const design = (extra: string, guardrails = 'bounce_rate'): string => `    variants: { control: 0.5, treatment: 0.5 }
    primary_metric: conversion
    secondary_metrics: [revenue, revenue_per_order]
    guardrails: [${guardrails}]
    start: 2026-03-02
    days: 14
    pre_period_days: 14
${extra}`;

const EXPERIMENTS = `  exp_lift:
    name: Known lift
${design(`    synth: { seed: 11, n_users: 6000, exposure_rate: 1, base_conversion: 0.2, effect_lift_conversion: 0.4 }`, 'bounce_rate, bounce_ni')}
  exp_srm:
    name: Skewed split
${design(`    synth: { seed: 12, n_users: 4000, srm_skew: 0.1 }`)}
  exp_pretrend:
    name: Drifting pre period
${design(`    synth: { seed: 13, n_users: 6000, base_conversion: 0.2, pretrend_drift: 0.8 }`)}
  exp_empty:
    name: Empty treatment arm
${design(`    synth: { seed: 14, n_users: 1500, variants: { control: 1, treatment: 0 } }`)}
  exp_abn:
    name: Two treatments
    variants: { control: 0.34, a: 0.33, b: 0.33 }
    primary_metric: conversion
    guardrails: [bounce_rate]
    start: 2026-03-02
    days: 14
    pre_period_days: 7
    synth: { seed: 15, n_users: 9000, exposure_rate: 1, base_conversion: 0.2, effect_lift_conversion: 0.4 }
`;

let p: TempProject;
let code: number;
let output: string;
beforeAll(async () => {
  p = analysisProject(EXPERIMENTS);
  // the same bounce metric once more, opted in to non-inferiority (a guardrail of exp_lift only)
  p.write('configs/dev.yaml', p.read('configs/dev.yaml').replace(METRICS, `${METRICS}  bounce_ni: { type: binomial, event: bounce, direction: decrease, margin: 0.2, noninferiority: true }\n`));
  const r = await xp(p.root, 'build', '--select', 'all', '--generate-synth');
  code = r.code;
  output = r.stdout + r.stderr;
});
afterAll(() => p.remove());

type R = Record<string, any>;
const one = async (table: string, id: string, where: (r: R) => boolean): Promise<R> => {
  const found = (await tableRows<R>(p, table, id)).filter(where);
  expect(found, `${table} ${id}`).toHaveLength(1);
  return found[0]!;
};

describe('xp build with the analysis plugins', () => {
  it('succeeds and runs every plugin for every experiment', () => {
    expect(code, output).toBe(0);
    for (const plugin of ['ab', 'cuped', 'did', 'pretrends', 'srm', 'sequential', 'decision']) {
      expect(output.match(new RegExp(`OK +exp_\\w+ analysis:${plugin} `, 'g')), plugin).toHaveLength(5);
    }
  });

  it('detects a known +40% conversion lift with the right sign and ships it', async () => {
    const ab = await one('analysis_results', 'exp_lift', (r) => r.metric === 'conversion');
    // pre_period_days > 0 and variance_reduction by default: CUPED is the pre-registered estimator
    expect(ab).toMatchObject({ status: 'ok', metric_role: 'primary', estimator: 'cuped', significant: true, outcome: 'better' });
    expect(ab.absolute_lift).toBeGreaterThan(0);
    expect(ab.relative_lift).toBeGreaterThan(0.2);
    expect(ab.relative_ci_lower).toBeGreaterThan(0);
    expect(ab.p_value).toBeLessThan(1e-6);
    expect(ab.raw_relative_lift).toBeGreaterThan(0.2);
    expect(ab.raw_p_value).toBeLessThan(1e-6);
    expect(ab.chance_to_beat_control).toBeGreaterThan(0.999);
    expect(ab.mde_relative).toBeGreaterThan(0);
    expect(ab.mde_relative).toBeLessThan(ab.relative_lift);
    const decision = await one('decisions', 'exp_lift', () => true);
    expect(decision).toMatchObject({ decision: 'ship', rule: 'win', best_treatment: 'treatment', sequential: false, is_final: true });
    expect(decision.headline).toMatch(/^Ship treatment: conversion is significantly better \(\+\d+\.\d%, 95% CI \+\d+\.\d% to \+\d+\.\d%\); no guardrail is worse\.$/);
    const pct = (x: number): string => `+${(x * 100).toFixed(1)}%`;
    expect(decision.headline).toContain(`(${pct(ab.relative_lift)}, 95% CI ${pct(ab.relative_ci_lower)} to ${pct(ab.relative_ci_upper)})`);
    expect(JSON.parse(decision.reasons)[0]).toMatchObject({ code: 'PRIMARY_BETTER', kind: 'blocking', variant: 'treatment' });
  });

  it('reports guardrails: harm at alpha / (2 G) for each, non-inferiority only for the opted-in one', async () => {
    const g = await one('analysis_results', 'exp_lift', (r) => r.metric === 'bounce_rate');
    // two guardrails (bounce_rate, bounce_ni): harm_alpha = 0.05 / (2 · 2)
    expect(g).toMatchObject({
      metric_role: 'guardrail', direction: 'decrease', is_guardrail: true, guardrail_margin: 0.2, noninferiority: false,
      harm_alpha: 0.0125, guardrail_harm: false, guardrail_pass: null, noninferiority_p_value: null, noninferiority_bound: null, ni_n_per_arm: null,
    });
    expect(g.harm_p_value).toBeGreaterThan(0.0125);
    // decrease metric: the worst relative increase the data cannot rule out, above the estimate
    expect(g.harm_bound).toBeGreaterThan(g.relative_lift);
    const ni = await one('analysis_results', 'exp_lift', (r) => r.metric === 'bounce_ni');
    expect(ni).toMatchObject({ metric_role: 'guardrail', is_guardrail: true, guardrail_margin: 0.2, noninferiority: true, harm_alpha: 0.0125, guardrail_harm: false, guardrail_pass: true });
    expect(ni.relative_lift).toBeCloseTo(g.relative_lift, 12);
    // decrease metric: the test bounds the relative increase from above, below the margin
    expect(ni.noninferiority_bound).toBeLessThan(0.2);
    expect(ni.noninferiority_p_value).toBeLessThan(0.05);
    expect(ni.ni_n_per_arm).toBeGreaterThan(0);
    expect(ni.ni_n_per_arm).toBeLessThanOrEqual(ni.control_n);
    const secondary = await one('analysis_results', 'exp_lift', (r) => r.metric === 'revenue');
    expect(secondary).toMatchObject({ metric_role: 'secondary', is_guardrail: false, guardrail_pass: null, noninferiority: null, harm_alpha: null });
    // the other experiments have one guardrail each
    const single = await one('analysis_results', 'exp_pretrend', (r) => r.metric === 'bounce_rate');
    expect(single.harm_alpha).toBe(0.025);
    const reasons = JSON.parse((await one('decisions', 'exp_lift', () => true)).reasons) as { code: string; metric?: string; kind: string }[];
    expect(reasons.filter((r) => r.code === 'GUARDRAIL_NOT_WORSE').map((r) => [r.metric, r.kind]).sort()).toEqual([['bounce_ni', 'note'], ['bounce_rate', 'note']]);
  });

  it('flags a sample-ratio mismatch and decides to investigate', async () => {
    const srm = await one('srm_results', 'exp_srm', (r) => r.grain === 'overall');
    expect(srm).toMatchObject({ status: 'ok', mismatch: true, threshold: 0.001, df: 1 });
    expect(srm.p_value).toBeLessThan(1e-6);
    const observed = JSON.parse(srm.observed) as Record<string, number>;
    expect(observed['treatment']!).toBeGreaterThan(observed['control']!);
    const daily = (await tableRows<R>(p, 'srm_results', 'exp_srm')).filter((r) => r.grain === 'daily');
    expect(daily.map((r) => r.day_index)).toEqual([...Array(14).keys()]);
    expect(daily.at(-1)!.n_total).toBe(srm.n_total);
    const decision = await one('decisions', 'exp_srm', () => true);
    expect(decision).toMatchObject({ decision: 'investigate', rule: 'untrustworthy', best_treatment: null });
    expect(JSON.parse(decision.reasons)[0]).toMatchObject({ code: 'SRM', kind: 'blocking' });
    const balanced = await one('srm_results', 'exp_lift', (r) => r.grain === 'overall');
    expect(balanced.mismatch).toBe(false);
  });

  it('fails the pre-trend test of a drifting pre period and passes an undisturbed one', async () => {
    const drift = await one('did_pretrend_tests', 'exp_pretrend', (r) => r.metric === 'conversion');
    expect(drift).toMatchObject({ status: 'ok', verdict: 'fail', pre_days: 14, days_used: 14, min_days: 7 });
    expect(Math.min(drift.slope_p_value, drift.joint_p_value)).toBeLessThan(0.001);
    // treatment pre-period events are thinned early on: the delta rises towards day -1
    expect(drift.slope).toBeGreaterThan(0);
    const clean = await one('did_pretrend_tests', 'exp_lift', (r) => r.metric === 'conversion');
    expect(clean).toMatchObject({ status: 'ok', verdict: 'pass' });
    const deltas = (await tableRows<R>(p, 'did_pretrend_delta', 'exp_pretrend', 'day_index')).filter((r) => r.metric === 'conversion');
    expect(deltas.filter((r) => r.period === 'pre')).toHaveLength(14);
    expect(deltas.filter((r) => r.period === 'post')).toHaveLength(14);
    expect(output).toMatch(/warning exp_pretrend: pretrends: conversion treatment: the pre period trends apart/);
  });

  it('reports an empty arm as not estimable, with no made-up numbers, and still builds', async () => {
    const results = await tableRows<R>(p, 'analysis_results', 'exp_empty');
    expect(results).toHaveLength(4);
    for (const r of results) {
      expect(r).toMatchObject({ status: 'not-estimable', reason: 'EMPTY_VARIANT', treatment_n: 0, p_value: null, absolute_lift: null, significant: null });
    }
    const cuped = await tableRows<R>(p, 'analysis_results_cuped', 'exp_empty', 'metric');
    expect(cuped.map((r) => `${r.metric} ${r.status} ${r.reason}`)).toEqual([
      'bounce_rate not-estimable EMPTY_VARIANT', 'conversion not-estimable EMPTY_VARIANT', 'revenue not-estimable EMPTY_VARIANT', 'revenue_per_order not-estimable EMPTY_VARIANT',
    ]);
    expect((await tableRows<R>(p, 'did_results', 'exp_empty')).filter((r) => r.status === 'ok')).toEqual([]);
    const seq = await one('sequential_looks', 'exp_empty', () => true);
    expect(seq).toMatchObject({ look_status: 'no-plan', status: 'not-estimable', reason: 'EMPTY_VARIANT', z: null });
    const decision = await one('decisions', 'exp_empty', () => true);
    expect(decision.decision).toBe('investigate');
  });

  it('adjusts an A/B/n test with Holm and names the best treatment', async () => {
    const rows = (await tableRows<R>(p, 'analysis_results', 'exp_abn', 'variant')).filter((r) => r.metric === 'conversion');
    expect(rows.map((r) => r.variant)).toEqual(['a', 'b']);
    const [lo, hi] = [...rows].sort((x, y) => x.p_value - y.p_value);
    expect(lo!.p_value_adjusted).toBeCloseTo(2 * lo!.p_value, 12);
    expect(hi!.p_value_adjusted).toBeCloseTo(Math.max(hi!.p_value, 2 * lo!.p_value), 12);
    expect(rows.every((r) => r.correction === 'holm' && r.outcome === 'better')).toBe(true);
    const decision = await one('decisions', 'exp_abn', () => true);
    const best = [...rows].sort((x, y) => y.relative_lift - x.relative_lift)[0]!;
    expect(decision).toMatchObject({ decision: 'ship', best_treatment: best.variant });
  });

  it('reports CUPED raw and adjusted side by side, and DiD from per-user pre/post sums', async () => {
    const cuped = await one('analysis_results_cuped', 'exp_lift', (r) => r.metric === 'conversion');
    expect(cuped.status).toBe('ok');
    expect(cuped.correlation).toBeGreaterThanOrEqual(0.1);
    expect(cuped.variance_reduction).toBeGreaterThan(0);
    expect(cuped.adjusted_se).toBeLessThan(cuped.raw_se);
    expect(cuped.raw_lift).toBeGreaterThan(0);
    expect(cuped.adjusted_lift).toBeGreaterThan(0);
    // analysis_results reports the pre-registered CUPED estimate, with the raw one beside it
    const ab = await one('analysis_results', 'exp_lift', (r) => r.metric === 'conversion');
    expect(ab.estimator).toBe('cuped');
    expect(ab.absolute_lift).toBeCloseTo(cuped.adjusted_lift, 12);
    expect(ab.absolute_se).toBeCloseTo(cuped.adjusted_se, 12);
    expect(ab.absolute_ci_lower).toBeCloseTo(cuped.adjusted_ci_lower, 12);
    expect(ab.p_value).toBeCloseTo(cuped.adjusted_p_value, 12);
    expect(ab.relative_lift).toBeCloseTo(cuped.adjusted_relative_lift, 12);
    expect(ab.raw_relative_lift).toBeCloseTo(cuped.raw_relative_lift, 12);
    expect(ab.raw_relative_ci_lower).not.toBeCloseTo(ab.relative_ci_lower, 6);
    const low = await one('analysis_results_cuped', 'exp_lift', (r) => r.metric === 'bounce_rate');
    expect(low).toMatchObject({ status: 'not-eligible', reason: 'LOW_CORRELATION' });
    const did = await one('did_results', 'exp_lift', (r) => r.metric === 'conversion');
    expect(did.status).toBe('ok');
    expect(did.estimate).toBeCloseTo(did.treatment_change - did.control_change, 12);
    expect(did.estimate).toBeGreaterThan(0);
  });

  it('is idempotent: a forced rebuild rewrites the same result partitions', async () => {
    const tables = ['analysis_results', 'analysis_results_cuped', 'did_results', 'did_pretrend_delta', 'did_pretrend_tests', 'srm_results', 'sequential_looks', 'decisions'];
    const snapshot = () => Promise.all(tables.map((t) => tableRows<R>(p, t, 'exp_lift', 'all')));
    const before = await snapshot();
    const r = await xp(p.root, 'build', '--select', 'exp_lift', '--full-refresh');
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const after = await snapshot();
    // the aggregates are bit-identical across builds (macros/exact_sum.sql), so are the results
    tables.forEach((t, i) => expect(after[i], t).toEqual(before[i]));
  });
});
