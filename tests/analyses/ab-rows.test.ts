/**
 * analysis_results rows from constructed aggregates: each metric type through its test,
 * Holm across the treatments of a metric, direction-aware guardrail non-inferiority and
 * Bayesian read-out, not-estimable rows without numbers.
 */
import { describe, expect, it } from 'vitest';
import { abRows, type AbInput } from '../../src/analyses/lib/ab-rows.ts';
import type { OverallAggregate } from '../../src/analyses/lib/aggregates.ts';
import type { MetricPlan } from '../../src/analyses/lib/settings.ts';
import { defaultDecisionConfig } from '../../src/project/config-schema.ts';
import { adjustPValues, minimumDetectableEffect, proportionTest, ratioTest, welchTest } from '../../src/stats/index.ts';

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

const plan = (name: string, type: MetricPlan['type'], over: Partial<MetricPlan> = {}): MetricPlan => ({ name, type, role: 'secondary', direction: 'increase', margin: null, ...over });

function run(plans: MetricPlan[], aggregates: OverallAggregate[], treatments = ['treatment'], correction: AbInput['experiment']['correction'] = 'holm') {
  return abRows({ experiment: { control: 'control', treatments, alpha: 0.05, correction }, plans, aggregates, decision: defaultDecisionConfig });
}

describe('abRows', () => {
  it('binomial: score test, Newcombe and Katz intervals, Bayesian chance and MDE', () => {
    const [r] = run([plan('conversion', 'binomial', { role: 'primary' })], [binomial('control', 10000, 1000), binomial('treatment', 10000, 1100)]);
    const abs = proportionTest({ n: 10000, successes: 1000 }, { n: 10000, successes: 1100 });
    const rel = proportionTest({ n: 10000, successes: 1000 }, { n: 10000, successes: 1100 }, { difference: 'relative' });
    if (abs.status !== 'ok' || rel.status !== 'ok') throw new Error('estimable');
    expect(r).toMatchObject({
      metric: 'conversion', metric_role: 'primary', status: 'ok', test: 'proportion-score', control_n: 10000, treatment_n: 10000,
      control_mean: 0.1, treatment_mean: 0.11, absolute_lift: abs.estimate, absolute_ci_lower: abs.ci[0], absolute_ci_upper: abs.ci[1],
      relative_lift: rel.estimate, relative_ci_lower: rel.ci[0], relative_ci_upper: rel.ci[1], p_value: abs.pValue, p_value_adjusted: abs.pValue,
      significant: true, outcome: 'better', bayes_status: 'ok', is_guardrail: false, guardrail_pass: null,
    });
    expect(r!.chance_to_beat_control).toBeGreaterThan(0.98);
    expect(r!.expected_loss_treatment).toBeLessThan(r!.expected_loss_control as number);
    const mde = minimumDetectableEffect({ metric: 'proportion', baseline: 0.1, controlN: 10000 }, { alpha: 0.05, power: 0.8, ratio: 1 });
    if (mde.status !== 'ok') throw new Error('estimable');
    expect(r!.mde_absolute).toBeCloseTo(mde.absolute, 12);
    expect(r!.mde_relative).toBeCloseTo(mde.relative!, 12);
  });

  it('mean metrics use Welch, ratio metrics the delta method', () => {
    const rows = run(
      [plan('revenue', 'mean'), plan('aov', 'ratio')],
      [mean('control', 500, 5000, 60000), mean('treatment', 500, 5400, 70000),
        ratio('control', 500, 5000, 80000, 400, 500, 6000), ratio('treatment', 500, 5400, 90000, 410, 520, 6500)],
    );
    const w = welchTest({ n: 500, sum: 5000, sumSquares: 60000 }, { n: 500, sum: 5400, sumSquares: 70000 });
    const rt = ratioTest(
      { n: 500, numeratorSum: 5000, numeratorSumSquares: 80000, denominatorSum: 400, denominatorSumSquares: 500, numeratorDenominatorSum: 6000 },
      { n: 500, numeratorSum: 5400, numeratorSumSquares: 90000, denominatorSum: 410, denominatorSumSquares: 520, numeratorDenominatorSum: 6500 },
    );
    if (w.status !== 'ok' || rt.status !== 'ok') throw new Error('estimable');
    expect(rows[0]).toMatchObject({ test: 'welch-t', absolute_lift: w.estimate, p_value: w.pValue, df: w.df });
    expect(rows[1]).toMatchObject({ test: 'ratio-delta', absolute_lift: rt.estimate, p_value: rt.pValue, df: null, control_mean: 12.5 });
    expect(rows[1]!.bayes_status).toBe('ok');
    expect(rows[1]!.mde_absolute).toBeGreaterThan(0);
  });

  it('adjusts p-values across the treatments of each metric by the configured correction', () => {
    const aggs = [binomial('control', 5000, 500), binomial('a', 5000, 560), binomial('b', 5000, 530), binomial('c', 5000, 505)];
    const raw = run([plan('conversion', 'binomial')], aggs, ['a', 'b', 'c'], 'none');
    const p = raw.map((r) => r.p_value as number);
    expect(raw.map((r) => r.p_value_adjusted)).toEqual(p);
    for (const method of ['holm', 'bonferroni', 'bh'] as const) {
      const rows = run([plan('conversion', 'binomial')], aggs, ['a', 'b', 'c'], method);
      expect(rows.map((r) => r.p_value_adjusted)).toEqual(adjustPValues(p, method));
      expect(rows.every((r) => r.correction === method && r.significant === ((r.p_value_adjusted as number) < 0.05))).toBe(true);
    }
  });

  it('guardrails: one-sided non-inferiority at the relative margin, in the metric\'s direction', () => {
    const g = plan('bounce_rate', 'binomial', { role: 'guardrail', direction: 'decrease', margin: 0.1 });
    const [fine] = run([g], [binomial('control', 20000, 6000, 'bounce_rate'), binomial('treatment', 20000, 6000, 'bounce_rate')]);
    const ni = proportionTest({ n: 20000, successes: 6000 }, { n: 20000, successes: 6000 }, { difference: 'relative', alternative: 'less', margin: 0.1 });
    if (ni.status !== 'ok') throw new Error('estimable');
    expect(fine).toMatchObject({ is_guardrail: true, guardrail_margin: 0.1, guardrail_pass: true, guardrail_harm: false, noninferiority_p_value: ni.pValue, noninferiority_bound: ni.ci[1] });
    const [bad] = run([g], [binomial('control', 20000, 6000, 'bounce_rate'), binomial('treatment', 20000, 6600, 'bounce_rate')]);
    expect(bad).toMatchObject({ guardrail_pass: false, guardrail_harm: true, outcome: 'worse' });
    // the same rise on an increase metric is good: passes, no harm
    const [up] = run([{ ...g, direction: 'increase' }], [binomial('control', 20000, 6000, 'bounce_rate'), binomial('treatment', 20000, 6600, 'bounce_rate')]);
    expect(up).toMatchObject({ guardrail_pass: true, guardrail_harm: false, outcome: 'better' });
    expect(bad!.chance_to_beat_control).toBeLessThan(0.01);
    expect(up!.chance_to_beat_control).toBeGreaterThan(0.99);
  });

  it('not estimable: the reason, and no made-up numbers', () => {
    const rows = run(
      [plan('conversion', 'binomial'), plan('revenue', 'mean')],
      [binomial('control', 1000, 100), binomial('treatment', 0, 0), mean('control', 1000, 0, 0), mean('treatment', 1000, 0, 0)],
    );
    expect(rows[0]).toMatchObject({ status: 'not-estimable', reason: 'EMPTY_VARIANT', significant: null, outcome: null, control_mean: 0.1, treatment_mean: null });
    for (const col of ['p_value', 'p_value_adjusted', 'absolute_lift', 'absolute_ci_lower', 'relative_lift', 'chance_to_beat_control', 'mde_absolute'] as const) {
      expect(rows[0]![col] ?? null, col).toBeNull();
    }
    expect(rows[1]).toMatchObject({ status: 'not-estimable', reason: 'ZERO_VARIANCE', significant: null });
    const [zero] = run([plan('conversion', 'binomial')], [binomial('control', 1000, 0), binomial('treatment', 1000, 10)]);
    expect(zero).toMatchObject({ status: 'ok', relative_status: 'not-estimable', relative_reason: 'ZERO_BASELINE', relative_lift: null, bayes_status: 'not-estimable', mde_absolute: null });
    const [missing] = run([plan('conversion', 'binomial')], [binomial('control', 1000, 100)]);
    expect(missing).toMatchObject({ status: 'not-estimable', reason: 'NO_AGGREGATES' });
  });
});
