/** The pure row builders of srm, cuped, did and pretrends on constructed aggregates. */
import { describe, expect, it } from 'vitest';
import type { DailyAggregate, OverallAggregate } from '../../src/analyses/lib/aggregates.ts';
import { cupedRows, pooledCorrelation } from '../../src/analyses/lib/cuped-rows.ts';
import { didRows } from '../../src/analyses/lib/did-rows.ts';
import { pretrendRows } from '../../src/analyses/lib/pretrend-rows.ts';
import { srmRows, type SrmCount } from '../../src/analyses/lib/srm-rows.ts';
import type { MetricPlan } from '../../src/analyses/lib/settings.ts';
import { cupedTest, differenceInDifferences, preTrendTest, ratioCupedTest, srmTest, type RatioCupedStats } from '../../src/stats/index.ts';
import { loadFixture } from '../stats/helpers.ts';

const experiment = { control: 'control', treatments: ['treatment'], alpha: 0.05, pre_period_days: 14 };
const plan = (name = 'revenue', type: MetricPlan['type'] = 'mean'): MetricPlan => ({ name, type, role: 'primary', direction: 'increase', margin: null, noninferiority: false, estimator: type === 'ratio' ? 'raw' : 'cuped' });
const agg = (variant: string, over: Partial<OverallAggregate> = {}): OverallAggregate => ({
  variant, metric: 'revenue', metric_type: 'mean', n: 1000, sum: 2000, sum_squares: 9000, pre_sum: 1900, pre_sum_squares: 8000, sum_pre_product: 6500,
  denominator_sum: null, denominator_sum_squares: null, numerator_denominator_sum: null, ...over,
});

describe('srmRows', () => {
  const counts: SrmCount[] = [
    { grain: 'overall', day: null, day_index: null, variant: 'control', expected_share: 0.5, observed: 900, observed_cum: 900 },
    { grain: 'overall', day: null, day_index: null, variant: 'treatment', expected_share: 0.5, observed: 1100, observed_cum: 1100 },
    { grain: 'daily', day: '2026-03-03', day_index: 1, variant: 'control', expected_share: 0.5, observed: 450, observed_cum: 900 },
    { grain: 'daily', day: '2026-03-03', day_index: 1, variant: 'treatment', expected_share: 0.5, observed: 550, observed_cum: 1100 },
    { grain: 'daily', day: '2026-03-02', day_index: 0, variant: 'control', expected_share: 0.5, observed: 450, observed_cum: 450 },
    { grain: 'daily', day: '2026-03-02', day_index: 0, variant: 'treatment', expected_share: 0.5, observed: 550, observed_cum: 550 },
  ];
  it('overall first, then days in order; cumulative counts per day plus the day alone', () => {
    const rows = srmRows(counts, ['control', 'treatment'], 0.001);
    expect(rows.map((r) => [r.grain, r.day_index])).toEqual([['overall', null], ['daily', 0], ['daily', 1]]);
    const overall = srmTest([900, 1100], [0.5, 0.5]);
    if (overall.status !== 'ok') throw new Error('ok');
    expect(rows[0]).toMatchObject({ status: 'ok', n_total: 2000, chi2: overall.chi2, p_value: overall.pValue, mismatch: true, observed: { control: 900, treatment: 1100 }, observed_shares: { control: 0.45, treatment: 0.55 } });
    expect(rows[2]).toMatchObject({ n_total: 2000, day_n_total: 1000, p_value: overall.pValue });
    expect(rows[2]!.day_p_value).toBeCloseTo((srmTest([450, 550], [0.5, 0.5]) as { pValue: number }).pValue, 15);
    expect(srmRows(counts, ['control', 'treatment'], 1e-12)[0]!.mismatch).toBe(false);
  });
  it('no users at all: not estimable', () => {
    const empty = counts.slice(0, 2).map((c) => ({ ...c, observed: 0, observed_cum: 0 }));
    expect(srmRows(empty, ['control', 'treatment'], 0.001)[0]).toMatchObject({ status: 'not-estimable', reason: 'INSUFFICIENT_DATA', observed_shares: null });
  });
});

describe('cupedRows', () => {
  it('eligible: raw and adjusted side by side from cupedTest', () => {
    const c = agg('control');
    const t = agg('treatment', { sum: 2100, sum_squares: 9500, sum_pre_product: 6700 });
    const [row] = cupedRows({ experiment, plans: [plan()], aggregates: [c, t] });
    const r = cupedTest({ n: 1000, sum: 2000, sumSquares: 9000, preSum: 1900, preSumSquares: 8000, sumPreProduct: 6500 }, { n: 1000, sum: 2100, sumSquares: 9500, preSum: 1900, preSumSquares: 8000, sumPreProduct: 6700 });
    if (r.status !== 'ok') throw new Error('ok');
    expect(row).toMatchObject({ status: 'ok', theta: r.theta, adjusted_lift: r.estimate, adjusted_se: r.se, raw_lift: r.unadjusted.estimate, variance_reduction: r.varianceReduction, min_correlation: 0.1 });
    expect(row!.correlation).toBeCloseTo(pooledCorrelation([c, t])!, 15);
    expect(row!.adjusted_relative_lift).toBeTypeOf('number');
  });
  it('a ratio metric: ratioCupedTest on its pre-period parts; without a pre-period denominator it is not eligible', () => {
    const fx = loadFixture<{ control: RatioCupedStats; treatment: RatioCupedStats }>('gbstats_ratio_cuped.json').cases[0]!;
    const ratioAgg = (variant: string, s: RatioCupedStats): OverallAggregate => ({
      variant, metric: 'aov', metric_type: 'ratio', n: s.n, sum: s.numeratorSum, sum_squares: s.numeratorSumSquares,
      pre_sum: s.preNumeratorSum, pre_sum_squares: s.preNumeratorSumSquares, sum_pre_product: s.numeratorPreNumeratorSum,
      denominator_sum: s.denominatorSum, denominator_sum_squares: s.denominatorSumSquares, numerator_denominator_sum: s.numeratorDenominatorSum,
      pre_denominator_sum: s.preDenominatorSum, pre_denominator_sum_squares: s.preDenominatorSumSquares, pre_numerator_denominator_sum: s.preNumeratorDenominatorSum,
      denominator_pre_denominator_sum: s.denominatorPreDenominatorSum, numerator_pre_denominator_sum: s.numeratorPreDenominatorSum, denominator_pre_numerator_sum: s.denominatorPreNumeratorSum,
    });
    const aggs = [ratioAgg('control', fx.control), ratioAgg('treatment', fx.treatment)];
    const [row] = cupedRows({ experiment, plans: [plan('aov', 'ratio')], aggregates: aggs });
    const r = ratioCupedTest(fx.control, fx.treatment, { alpha: 0.05, difference: 'absolute' });
    if (r.status !== 'ok') throw new Error('ok');
    expect(row).toMatchObject({ status: 'ok', metric_type: 'ratio', theta: r.theta, adjusted_lift: r.estimate, adjusted_se: r.se, raw_lift: r.unadjusted.estimate, variance_reduction: r.varianceReduction });
    expect(row!.correlation ?? null).toBeNull();
    expect(row!.control_mean).toBeCloseTo(fx.control.numeratorSum / fx.control.denominatorSum, 12);
    expect(row!.adjusted_relative_lift).toBeTypeOf('number');
    const noPre = aggs.map((a) => ({ ...a, pre_sum: 0, pre_sum_squares: 0, pre_denominator_sum: 0, pre_denominator_sum_squares: 0 }));
    expect(cupedRows({ experiment, plans: [plan('aov', 'ratio')], aggregates: noPre })[0]).toMatchObject({ status: 'not-eligible', reason: 'NO_PRE_DATA' });
  });
  it('not eligible: no pre period, uncorrelated covariate; empty arm not estimable', () => {
    const aggs = [agg('control'), agg('treatment')];
    expect(cupedRows({ experiment: { ...experiment, pre_period_days: 0 }, plans: [plan()], aggregates: aggs })[0]).toMatchObject({ status: 'not-eligible', reason: 'NO_PRE_PERIOD' });
    const flat = [agg('control', { sum_pre_product: 3800 }), agg('treatment', { sum_pre_product: 3800 })];
    expect(cupedRows({ experiment, plans: [plan()], aggregates: flat })[0]).toMatchObject({ status: 'not-eligible', reason: 'LOW_CORRELATION' });
    const noPre = [agg('control', { pre_sum: 0, pre_sum_squares: 0, sum_pre_product: 0 }), agg('treatment', { pre_sum: 0, pre_sum_squares: 0, sum_pre_product: 0 })];
    expect(cupedRows({ experiment, plans: [plan()], aggregates: noPre })[0]).toMatchObject({ status: 'not-eligible', reason: 'NO_PRE_DATA' });
    expect(cupedRows({ experiment, plans: [plan()], aggregates: [agg('control'), agg('treatment', { n: 0, sum: 0, sum_squares: 0, pre_sum: 0, pre_sum_squares: 0, sum_pre_product: 0 })] })[0])
      .toMatchObject({ status: 'not-estimable', reason: 'EMPTY_VARIANT' });
  });
});

describe('didRows', () => {
  it('the DiD of per-user pre/post sums with the arm means', () => {
    const c = agg('control');
    const t = agg('treatment', { sum: 2300, sum_squares: 10000 });
    const [row] = didRows({ experiment, plans: [plan()], aggregates: [c, t] });
    const r = differenceInDifferences(
      { n: 1000, preSum: 1900, preSumSquares: 8000, postSum: 2000, postSumSquares: 9000, sumPrePost: 6500 },
      { n: 1000, preSum: 1900, preSumSquares: 8000, postSum: 2300, postSumSquares: 10000, sumPrePost: 6500 },
    );
    if (r.status !== 'ok') throw new Error('ok');
    expect(row).toMatchObject({ status: 'ok', estimate: r.estimate, se: r.se, p_value: r.pValue, df: r.df, control_pre_mean: 1.9, control_post_mean: 2, treatment_post_mean: 2.3 });
    expect(didRows({ experiment: { ...experiment, pre_period_days: 0 }, plans: [plan()], aggregates: [c, t] })[0]).toMatchObject({ status: 'not-eligible', reason: 'NO_PRE_PERIOD' });
  });
});

describe('pretrendRows', () => {
  const day = (variant: string, dayIndex: number, sum: number, n = 1000): DailyAggregate => ({
    variant, metric: 'conversion', metric_type: 'binomial', day: `d${dayIndex}`, day_index: dayIndex, period: dayIndex < 0 ? 'pre' : 'post',
    n_daily: n, sum_daily: sum, sum_squares_daily: sum, n_cum: null, sum_cum: null, sum_squares_cum: null,
    denominator_sum_daily: null, denominator_sum_squares_daily: null, numerator_denominator_sum_daily: null,
    denominator_sum_cum: null, denominator_sum_squares_cum: null, numerator_denominator_sum_cum: null,
  });
  const days = (drift: number) => [-8, -7, -6, -5, -4, -3, -2, -1, 0].flatMap((d) => [day('control', d, 100), day('treatment', d, Math.round(100 + drift * (d + 8)))]);

  it('daily deltas for pre and post days, the tests on the pre days', () => {
    const { deltas, tests } = pretrendRows({ experiment, plans: [plan('conversion', 'binomial')], daily: days(8) });
    expect(deltas.map((d) => [d.day_index, d.period])).toEqual([-8, -7, -6, -5, -4, -3, -2, -1, 0].map((d) => [d, d < 0 ? 'pre' : 'post']));
    expect(deltas[1]!.delta).toBeCloseTo(0.108 - 0.1, 12);
    const expected = preTrendTest(deltas.filter((d) => d.period === 'pre').map((d) => ({ day: d.day_index!, delta: d.delta!, se: d.se! })));
    if (expected.status !== 'ok') throw new Error('ok');
    expect(tests[0]).toMatchObject({ status: 'ok', verdict: 'fail', pre_days: 8, days_used: 8, min_days: 7, slope: expected.slope.estimate, joint_p_value: expected.joint.pValue });
    expect(pretrendRows({ experiment, plans: [plan('conversion', 'binomial')], daily: days(0) }).tests[0]!.verdict).toBe('pass');
  });

  it('fewer pre days than the minimum: INSUFFICIENT_DATA, no verdict', () => {
    const { tests } = pretrendRows({ experiment, plans: [plan('conversion', 'binomial')], daily: days(8).filter((d) => d.day_index >= -3) });
    expect(tests[0]).toMatchObject({ status: 'not-estimable', reason: 'INSUFFICIENT_DATA', verdict: null, pre_days: 3 });
  });

  it('a day without any event in either arm is not estimable and left out of the tests', () => {
    const daily = days(0).map((d) => (d.day_index === -2 ? { ...d, sum_daily: 0, sum_squares_daily: 0 } : d));
    const { deltas, tests } = pretrendRows({ experiment, plans: [plan('conversion', 'binomial')], daily });
    expect(deltas.find((d) => d.day_index === -2)).toMatchObject({ status: 'not-estimable', reason: 'ZERO_VARIANCE' });
    expect(tests[0]).toMatchObject({ pre_days: 8, days_used: 7, status: 'ok' });
  });
});
