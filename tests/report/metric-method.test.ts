/**
 * The per-metric analysis note beside each definition in the memo and report: a quantile
 * metric's test, what winsorisation held the values to (from the A/B rows' bounds), and a
 * prior's shrunken lift.
 */
import { describe, expect, it } from 'vitest';
import type { AbRow } from '../../src/analyses/tables.ts';
import type { MetricConfig } from '../../src/project/types.ts';
import { metricMethod, percentileName } from '../../src/report/memo/metric-method.ts';

const base = { event: 'purchase', direction: 'increase', guardrail: false, noninferiority: false } as const;

describe('metricMethod', () => {
  it('the default analysis has no note', () => {
    expect(metricMethod({ ...base, type: 'binomial' }, [])).toBeNull();
  });
  it('a quantile metric names its quantile and GrowthBook\'s test', () => {
    expect(metricMethod({ ...base, type: 'quantile', quantile: 0.5 }, [])).toMatch(/^the median of users' values in each arm .*GrowthBook's quantile test$/);
  });
  it('winsorisation: both tails among nonzero users, with the bounds from the rows', () => {
    const m: MetricConfig = { ...base, type: 'mean', value: 'value', cap: { lower_quantile: 0.01, upper_quantile: 0.99 }, cap_nonzero: true };
    const rows: AbRow[] = [{ metric: 'r', variant: 'treatment', value_floor: 7.112, value_cap: 32.162000000000006 }];
    expect(metricMethod(m, rows)).toBe("winsorised: each user's value held between 7.112 (the 1st percentile of users with a nonzero value) and 32.16 (the 99th percentile of users with a nonzero value), pooled across arms; users without a value stay 0");
  });
  it('winsorisation by value, and cap_quantile as the upper quantile', () => {
    expect(metricMethod({ ...base, type: 'mean', cap: { upper_value: 500 } }, [{ value_cap: 500 }])).toBe("winsorised: each user's value held at most 500.0 (a fixed bound)");
    expect(metricMethod({ ...base, type: 'mean', cap_quantile: 0.99 }, [{ value_cap: 24.05 }])).toBe("winsorised: each user's value held at most 24.05 (the 99th percentile of all exposed users), pooled across arms");
  });
  it('a prior: its mean and sd, and each treatment\'s shrunken lift beside the data\'s own', () => {
    const note = metricMethod({ ...base, type: 'binomial', prior: { mean: 0, sd: 0.05 } }, [{ variant: 'treatment', posterior_lift: 0.0083, likelihood_lift: 0.0136 }]);
    expect(note).toBe('a normal prior on the relative lift, mean 0.0% and sd 5.0%: the chance to beat control is posterior, with the shrunken lift treatment: +0.8% (the data alone: +1.4%)');
  });
  it('percentile names', () => {
    expect([0.01, 0.02, 0.03, 0.11, 0.5, 0.975, 0.99].map(percentileName)).toEqual(['1st percentile', '2nd percentile', '3rd percentile', '11th percentile', '50th percentile', '97.5th percentile', '99th percentile']);
  });
});
