/**
 * analysis_results rows from constructed aggregates: each metric type through its raw test
 * (variance_reduction: none) and through CUPED, its pre-registered estimator where it has a
 * pre-period value; Holm across the treatments of a metric; the MDE of the pre-registered
 * test; guardrail harm at alpha / (2 G) and opt-in non-inferiority; the Bayesian read-out;
 * not-estimable rows without numbers.
 */
import { describe, expect, it } from 'vitest';
import { abRows, type AbInput } from '../../src/analyses/lib/ab-rows.ts';
import type { OverallAggregate } from '../../src/analyses/lib/aggregates.ts';
import { metricPlans, preRegisteredEstimator, type MetricPlan } from '../../src/analyses/lib/settings.ts';
import { defaultDecisionConfig } from '../../src/project/config-schema.ts';
import type { Experiment, MetricConfig } from '../../src/project/types.ts';
import { adjustPValues, cupedTest, normalCdf, normalQuantile, proportionTest, ratioTest, welchTest } from '../../src/stats/index.ts';

const binomial = (variant: string, n: number, x: number, metric = 'conversion'): OverallAggregate => ({
  variant, metric, metric_type: 'binomial', n, sum: x, sum_squares: x, pre_sum: 0, pre_sum_squares: 0, sum_pre_product: 0,
  denominator_sum: null, denominator_sum_squares: null, numerator_denominator_sum: null,
});
const mean = (variant: string, n: number, sum: number, sumSquares: number): OverallAggregate => ({
  ...binomial(variant, n, 0, 'revenue'), metric_type: 'mean', sum, sum_squares: sumSquares,
});
const ratio = (variant: string, n: number, x: number, xx: number, y: number, yy: number, xy: number): OverallAggregate => ({
  ...binomial(variant, n, 0, 'aov'), metric_type: 'ratio', sum: x, sum_squares: xx, denominator_sum: y, denominator_sum_squares: yy, numerator_denominator_sum: xy,
});
/** A binomial arm with a binary pre-period value: `pre` users converted before, `both` of them converted again. */
const withPre = (a: OverallAggregate, pre: number, both: number): OverallAggregate => ({ ...a, pre_sum: pre, pre_sum_squares: pre, sum_pre_product: both });

/** The raw estimator by default (an experiment with variance_reduction: none). */
const plan = (name: string, type: MetricPlan['type'], over: Partial<MetricPlan> = {}): MetricPlan => ({
  name, type, role: 'secondary', direction: 'increase', margin: null, noninferiority: false, estimator: 'raw', ...over,
});
/** z_(1-α/2) + z_power: the MDE is this many standard errors of the pre-registered test. */
const K = normalQuantile(1 - 0.05 / 2) + normalQuantile(0.8);

function run(plans: MetricPlan[], aggregates: OverallAggregate[], treatments = ['treatment'], correction: AbInput['experiment']['correction'] = 'holm') {
  return abRows({ experiment: { control: 'control', treatments, alpha: 0.05, correction }, plans, aggregates, decision: defaultDecisionConfig });
}
const ok = <T extends { status: string }>(r: T): Extract<T, { status: 'ok' }> => {
  if (r.status !== 'ok') throw new Error(`not estimable: ${JSON.stringify(r)}`);
  return r as Extract<T, { status: 'ok' }>;
};

describe('the pre-registered estimator', () => {
  it('CUPED when the experiment uses variance reduction, has a pre period and the metric is not a ratio', () => {
    expect(preRegisteredEstimator({ variance_reduction: 'cuped', pre_period_days: 14 }, 'binomial')).toBe('cuped');
    expect(preRegisteredEstimator({ variance_reduction: 'cuped', pre_period_days: 14 }, 'mean')).toBe('cuped');
    expect(preRegisteredEstimator({ variance_reduction: 'cuped', pre_period_days: 14 }, 'ratio')).toBe('raw');
    expect(preRegisteredEstimator({ variance_reduction: 'cuped', pre_period_days: 0 }, 'binomial')).toBe('raw');
    expect(preRegisteredEstimator({ variance_reduction: 'none', pre_period_days: 14 }, 'mean')).toBe('raw');
  });

  it('metricPlans: roles, the estimator, and non-inferiority only for an opted-in guardrail with a margin', () => {
    const experiment = {
      id: 'exp_a', primary_metric: 'conversion', guardrails: ['bounce_rate', 'errors'], metricNames: ['conversion', 'bounce_rate', 'errors', 'aov'],
      variance_reduction: 'cuped', pre_period_days: 7,
    } as unknown as Experiment;
    const b = { type: 'binomial', event: 'e', direction: 'increase', guardrail: false, noninferiority: false } as const;
    const metrics: Record<string, MetricConfig> = {
      conversion: { ...b, noninferiority: true, margin: 0.1 },
      bounce_rate: { ...b, direction: 'decrease', margin: 0.05, noninferiority: true },
      errors: { ...b, direction: 'decrease', margin: 0.05 },
      aov: { type: 'ratio', numerator: { event: 'e', value: 'v' }, denominator: { event: 'e' }, direction: 'increase', guardrail: false, noninferiority: false } as MetricConfig,
    };
    expect(metricPlans(experiment, metrics).map((p) => [p.name, p.role, p.estimator, p.noninferiority])).toEqual([
      ['conversion', 'primary', 'cuped', false],
      ['bounce_rate', 'guardrail', 'cuped', true],
      ['errors', 'guardrail', 'cuped', false],
      ['aov', 'secondary', 'raw', false],
    ]);
    expect(metricPlans({ ...experiment, variance_reduction: 'none' }, metrics).every((p) => p.estimator === 'raw')).toBe(true);
  });
});

describe('abRows', () => {
  it('binomial (raw): score test, Newcombe and Katz intervals, Bayesian chance and the MDE of the test', () => {
    const [r] = run([plan('conversion', 'binomial', { role: 'primary' })], [binomial('control', 10000, 1000), binomial('treatment', 10000, 1100)]);
    const abs = ok(proportionTest({ n: 10000, successes: 1000 }, { n: 10000, successes: 1100 }));
    const rel = ok(proportionTest({ n: 10000, successes: 1000 }, { n: 10000, successes: 1100 }, { difference: 'relative' }));
    expect(r).toMatchObject({
      metric: 'conversion', metric_role: 'primary', status: 'ok', test: 'proportion-score', estimator: 'raw', control_n: 10000, treatment_n: 10000,
      control_mean: 0.1, treatment_mean: 0.11, absolute_lift: abs.estimate, absolute_se: abs.se, absolute_ci_lower: abs.ci[0], absolute_ci_upper: abs.ci[1],
      relative_lift: rel.estimate, relative_se: rel.se, relative_ci_lower: rel.ci[0], relative_ci_upper: rel.ci[1], p_value: abs.pValue, p_value_adjusted: abs.pValue,
      statistic: abs.statistic, significant: true, outcome: 'better', bayes_status: 'ok', is_guardrail: false, guardrail_pass: null,
      // the raw columns are the main ones when the raw test is pre-registered
      raw_relative_lift: rel.estimate, raw_relative_ci_lower: rel.ci[0], raw_relative_ci_upper: rel.ci[1], raw_p_value: abs.pValue,
    });
    // Bayesian: the Gaussian posterior of the relative lift with the comparison's own se
    expect(r!.chance_to_beat_control).toBeCloseTo(normalCdf(rel.estimate / rel.se), 12);
    expect(r!.credible_lower).toBeCloseTo(rel.estimate - normalQuantile(0.975) * rel.se, 12);
    expect(r!.credible_upper).toBeCloseTo(rel.estimate + normalQuantile(0.975) * rel.se, 12);
    expect(r!.chance_to_beat_control).toBeGreaterThan(0.98);
    expect(r!.expected_loss_treatment).toBeLessThan(r!.expected_loss_control as number);
    // MDE = (z_(1-α/2) + z_power) · se of the pre-registered test
    expect(r!.mde_power).toBe(0.8);
    expect(r!.mde_absolute).toBeCloseTo(K * abs.se, 12);
    expect(r!.mde_relative).toBeCloseTo(K * rel.se, 12);
  });

  it('CUPED estimator: every main column is cupedTest\'s, the raw_* columns the raw test\'s, the MDE shrinks with the se', () => {
    const aggs = [withPre(binomial('control', 10000, 1000), 900, 400), withPre(binomial('treatment', 10000, 1100), 910, 430)];
    const [r] = run([plan('conversion', 'binomial', { role: 'primary', estimator: 'cuped' })], aggs);
    const stats = (a: OverallAggregate) => ({ n: a.n, sum: a.sum, sumSquares: a.sum_squares, preSum: a.pre_sum, preSumSquares: a.pre_sum_squares, sumPreProduct: a.sum_pre_product });
    const abs = ok(cupedTest(stats(aggs[0]!), stats(aggs[1]!), { alpha: 0.05, difference: 'absolute' }));
    const rel = ok(cupedTest(stats(aggs[0]!), stats(aggs[1]!), { alpha: 0.05, difference: 'relative' }));
    const rawAbs = ok(proportionTest({ n: 10000, successes: 1000 }, { n: 10000, successes: 1100 }));
    const rawRel = ok(proportionTest({ n: 10000, successes: 1000 }, { n: 10000, successes: 1100 }, { difference: 'relative' }));
    expect(abs.varianceReduction).toBeGreaterThan(0.01);
    expect(r).toMatchObject({
      status: 'ok', estimator: 'cuped', control_mean: 0.1, treatment_mean: 0.11,
      absolute_lift: abs.estimate, absolute_se: abs.se, absolute_ci_lower: abs.ci[0], absolute_ci_upper: abs.ci[1],
      relative_lift: rel.estimate, relative_se: rel.se, relative_ci_lower: rel.ci[0], relative_ci_upper: rel.ci[1],
      statistic: abs.statistic, df: null, p_value: abs.pValue, p_value_adjusted: abs.pValue, significant: abs.pValue < 0.05,
      raw_relative_lift: rawRel.estimate, raw_relative_ci_lower: rawRel.ci[0], raw_relative_ci_upper: rawRel.ci[1], raw_p_value: rawAbs.pValue,
    });
    expect(r!.absolute_lift).not.toBeCloseTo(rawAbs.estimate, 6);
    expect(r!.mde_absolute).toBeCloseTo(K * abs.se, 12);
    expect(r!.mde_relative).toBeCloseTo(K * rel.se, 12);
    expect(r!.mde_absolute as number).toBeLessThan(K * rawAbs.se);
  });

  it('CUPED estimator without pre-period variance (no covariate) is the raw test', () => {
    const aggs = [binomial('control', 10000, 1000), binomial('treatment', 10000, 1100)];
    const [cuped] = run([plan('conversion', 'binomial', { estimator: 'cuped' })], aggs);
    const [raw] = run([plan('conversion', 'binomial')], aggs);
    const cols = ['absolute_lift', 'absolute_se', 'absolute_ci_lower', 'relative_lift', 'relative_ci_upper', 'p_value', 'statistic', 'mde_absolute'] as const;
    for (const c of cols) expect(cuped![c], c).toBe(raw![c]);
    expect(cuped!.estimator).toBe('cuped');
  });

  it('mean metrics use Welch, ratio metrics the delta method', () => {
    const rows = run(
      [plan('revenue', 'mean'), plan('aov', 'ratio')],
      [mean('control', 500, 5000, 60000), mean('treatment', 500, 5400, 70000),
        ratio('control', 500, 5000, 80000, 400, 500, 6000), ratio('treatment', 500, 5400, 90000, 410, 520, 6500)],
    );
    const w = ok(welchTest({ n: 500, sum: 5000, sumSquares: 60000 }, { n: 500, sum: 5400, sumSquares: 70000 }));
    const ratioArms = [
      { n: 500, numeratorSum: 5000, numeratorSumSquares: 80000, denominatorSum: 400, denominatorSumSquares: 500, numeratorDenominatorSum: 6000 },
      { n: 500, numeratorSum: 5400, numeratorSumSquares: 90000, denominatorSum: 410, denominatorSumSquares: 520, numeratorDenominatorSum: 6500 },
    ] as const;
    const rt = ok(ratioTest(ratioArms[0], ratioArms[1]));
    const rtRel = ok(ratioTest(ratioArms[0], ratioArms[1], { difference: 'relative' }));
    expect(rows[0]).toMatchObject({ test: 'welch-t', absolute_lift: w.estimate, p_value: w.pValue, df: w.df });
    expect(rows[0]!.mde_absolute).toBeCloseTo(K * w.se, 12);
    expect(rows[1]).toMatchObject({ test: 'ratio-delta', absolute_lift: rt.estimate, p_value: rt.pValue, df: null, control_mean: 12.5 });
    expect(rows[1]!.bayes_status).toBe('ok');
    expect(rows[1]!.chance_to_beat_control).toBeCloseTo(normalCdf(rtRel.estimate / rtRel.se), 12);
    expect(rows[1]!.mde_absolute).toBeCloseTo(K * rt.se, 12);
  });

  it('adjusts p-values across the treatments of each metric by the configured correction; the A/B/n MDE at alpha / m', () => {
    const aggs = [binomial('control', 5000, 500), binomial('a', 5000, 560), binomial('b', 5000, 530), binomial('c', 5000, 505)];
    const raw = run([plan('conversion', 'binomial')], aggs, ['a', 'b', 'c'], 'none');
    const p = raw.map((r) => r.p_value as number);
    expect(raw.map((r) => r.p_value_adjusted)).toEqual(p);
    expect(raw[0]!.mde_absolute).toBeCloseTo(K * (raw[0]!.absolute_se as number), 12);
    for (const method of ['holm', 'bonferroni', 'bh'] as const) {
      const rows = run([plan('conversion', 'binomial')], aggs, ['a', 'b', 'c'], method);
      expect(rows.map((r) => r.p_value_adjusted)).toEqual(adjustPValues(p, method));
      expect(rows.every((r) => r.correction === method && r.significant === ((r.p_value_adjusted as number) < 0.05))).toBe(true);
      const k3 = normalQuantile(1 - 0.05 / 3 / 2) + normalQuantile(0.8);
      expect(rows[0]!.mde_absolute).toBeCloseTo(k3 * (rows[0]!.absolute_se as number), 12);
    }
  });

  describe('guardrails', () => {
    const g = plan('bounce_rate', 'binomial', { role: 'guardrail', direction: 'decrease', margin: 0.1 });
    const other = plan('errors', 'binomial', { role: 'guardrail', direction: 'decrease', margin: 0.1 });
    const arms = (treatment: number) => [binomial('control', 20000, 6000, 'bounce_rate'), binomial('treatment', 20000, treatment, 'bounce_rate')];
    const scoreTest = (treatment: number, difference: 'absolute' | 'relative' = 'absolute') =>
      ok(proportionTest({ n: 20000, successes: 6000 }, { n: 20000, successes: treatment }, { difference }));

    it('harm: the one-sided test in the harmful direction at alpha / (2 G), G the number of guardrails', () => {
      // bounce rate 30% → 30.95%: one-sided p between alpha / 4 and alpha / 2
      const two = run([g, other], arms(6190));
      const row = two.find((r) => r.metric === 'bounce_rate')!;
      const abs = scoreTest(6190);
      const rel = scoreTest(6190, 'relative');
      expect(abs.pValue / 2).toBeGreaterThan(0.0125);
      expect(abs.pValue / 2).toBeLessThan(0.025);
      expect(row).toMatchObject({ is_guardrail: true, harm_alpha: 0.0125, guardrail_harm: false, noninferiority: false });
      expect(row.harm_p_value).toBeCloseTo(abs.pValue / 2, 12);
      // decrease metric: the worst relative increase the harm test cannot rule out
      expect(row.harm_bound).toBeCloseTo(rel.estimate + normalQuantile(1 - 0.0125) * rel.se, 12);
      // one guardrail: harm_alpha = alpha / 2, and the same data is harm
      const [alone] = run([g], arms(6190));
      expect(alone).toMatchObject({ harm_alpha: 0.025, guardrail_harm: true, outcome: 'worse' });
      expect(alone!.harm_bound).toBeCloseTo(rel.estimate + normalQuantile(1 - 0.025) * rel.se, 12);
      // the family counts guardrail metrics, not treatments or other metrics
      expect(run([plan('conversion', 'binomial', { role: 'primary' }), g], [...arms(6190), binomial('control', 20000, 1000), binomial('treatment', 20000, 1000)])
        .find((r) => r.metric === 'bounce_rate')!.harm_alpha).toBe(0.025);
    });

    it('harm is one-sided in the metric\'s direction: the same rise is no harm on an increase metric', () => {
      const [bad] = run([g], arms(6600));
      expect(bad).toMatchObject({ guardrail_harm: true, outcome: 'worse' });
      expect(bad!.harm_p_value).toBeCloseTo(scoreTest(6600).pValue / 2, 12);
      const [up] = run([{ ...g, direction: 'increase' }], arms(6600));
      expect(up).toMatchObject({ guardrail_harm: false, outcome: 'better' });
      expect(up!.harm_p_value).toBeCloseTo(1 - scoreTest(6600).pValue / 2, 12);
      expect(up!.harm_bound).toBeCloseTo(scoreTest(6600, 'relative').estimate - normalQuantile(0.975) * scoreTest(6600, 'relative').se, 12);
      expect(bad!.chance_to_beat_control).toBeLessThan(0.01);
      expect(up!.chance_to_beat_control).toBeGreaterThan(0.99);
    });

    it('non-inferiority only when the metric opts in: without it the NI columns are empty', () => {
      const [fine] = run([g], arms(6000));
      expect(fine).toMatchObject({
        guardrail_margin: 0.1, noninferiority: false, guardrail_harm: false,
        noninferiority_p_value: null, noninferiority_bound: null, guardrail_pass: null, ni_n_per_arm: null,
      });
      const [bad] = run([g], arms(6600));
      expect(bad).toMatchObject({ guardrail_pass: null, noninferiority_p_value: null });
    });

    it('with noninferiority: true: the one-sided test at the relative margin, the pass flag and the users per arm it needs', () => {
      const ni = { ...g, noninferiority: true };
      const [fine] = run([ni], arms(6000));
      const niTest = ok(proportionTest({ n: 20000, successes: 6000 }, { n: 20000, successes: 6000 }, { difference: 'relative', alternative: 'less', margin: 0.1 }));
      const rel = scoreTest(6000, 'relative');
      const needed = Math.ceil(20000 * (rel.se / (0.1 / (normalQuantile(0.95) + normalQuantile(0.8)))) ** 2);
      expect(fine).toMatchObject({
        noninferiority: true, guardrail_margin: 0.1, guardrail_pass: true, guardrail_harm: false,
        noninferiority_p_value: niTest.pValue, noninferiority_bound: niTest.ci[1], ni_n_per_arm: needed,
      });
      expect(needed).toBeLessThan(20000);
      const [bad] = run([ni], arms(6600));
      expect(bad).toMatchObject({ guardrail_pass: false, guardrail_harm: true });
      // an increase guardrail bounds the relative change from below
      const [up] = run([{ ...ni, direction: 'increase' }], arms(6600));
      const upTest = ok(proportionTest({ n: 20000, successes: 6000 }, { n: 20000, successes: 6600 }, { difference: 'relative', alternative: 'greater', margin: 0.1 }));
      expect(up).toMatchObject({ guardrail_pass: true, noninferiority_p_value: upTest.pValue, noninferiority_bound: upTest.ci[0] });
    });

    it('a secondary metric has no guardrail columns; a guardrail that is not estimable keeps its harm_alpha only', () => {
      const [s] = run([plan('conversion', 'binomial')], [binomial('control', 1000, 100), binomial('treatment', 1000, 120)]);
      expect(s).toMatchObject({ is_guardrail: false, guardrail_margin: null, noninferiority: null, guardrail_harm: null, harm_p_value: null, harm_alpha: null, harm_bound: null });
      const [empty] = run([{ ...g, noninferiority: true }], [binomial('control', 1000, 100, 'bounce_rate'), binomial('treatment', 0, 0, 'bounce_rate')]);
      expect(empty).toMatchObject({ status: 'not-estimable', harm_alpha: 0.025, guardrail_harm: null, harm_p_value: null, guardrail_pass: null, ni_n_per_arm: null });
    });
  });

  it('not estimable: the reason, and no made-up numbers', () => {
    const rows = run(
      [plan('conversion', 'binomial'), plan('revenue', 'mean')],
      [binomial('control', 1000, 100), binomial('treatment', 0, 0), mean('control', 1000, 0, 0), mean('treatment', 1000, 0, 0)],
    );
    expect(rows[0]).toMatchObject({ status: 'not-estimable', reason: 'EMPTY_VARIANT', significant: null, outcome: null, control_mean: 0.1, treatment_mean: null });
    for (const col of ['p_value', 'p_value_adjusted', 'absolute_lift', 'absolute_ci_lower', 'relative_lift', 'chance_to_beat_control', 'mde_absolute', 'raw_p_value'] as const) {
      expect(rows[0]![col] ?? null, col).toBeNull();
    }
    expect(rows[1]).toMatchObject({ status: 'not-estimable', reason: 'ZERO_VARIANCE', significant: null });
    // a zero baseline: the absolute test (and its MDE) exist, the relative lift does not
    const [zero] = run([plan('conversion', 'binomial')], [binomial('control', 1000, 0), binomial('treatment', 1000, 10)]);
    const abs = ok(proportionTest({ n: 1000, successes: 0 }, { n: 1000, successes: 10 }));
    expect(zero).toMatchObject({ status: 'ok', relative_status: 'not-estimable', relative_reason: 'ZERO_BASELINE', relative_lift: null, bayes_status: 'not-estimable', mde_relative: null, raw_relative_lift: null });
    expect(zero!.mde_absolute).toBeCloseTo(K * abs.se, 12);
    const [missing] = run([plan('conversion', 'binomial')], [binomial('control', 1000, 100)]);
    expect(missing).toMatchObject({ status: 'not-estimable', reason: 'NO_AGGREGATES' });
  });
});
