/**
 * Baselines from the aggregates' sums against numpy on the raw per-user values
 * (tests/fixtures/design/make_fixtures.py): pre-period of every arm first, the control's
 * post values otherwise, the ratio's delta-method sd, and the pre/post correlation.
 */
import { describe, expect, it } from 'vitest';
import type { MetricType, OverallAggregate } from '../../src/analyses/model-rows.ts';
import { baselineOf } from '../../src/design/baselines.ts';
import { expectClose, ok } from '../stats/helpers.ts';
import { loadDesignFixture } from './helpers.ts';

interface Case {
  readonly name: string;
  readonly metric: string;
  readonly type: MetricType;
  readonly prePeriodDays: number;
  readonly rows: readonly OverallAggregate[];
  readonly expected: { source: 'pre-period' | 'control'; mean: number; sd: number; n: number; correlation: number | null };
}

const fixture = loadDesignFixture<Case>('baselines.json');

describe('baselines (numpy on raw values)', () => {
  it.each(fixture.cases.map((c) => [c.name, c] as const))('%s', (name, c) => {
    const b = ok(baselineOf(c.rows, c.metric, c.type, { control: 'control', prePeriodDays: c.prePeriodDays }));
    expect(b.source).toBe(c.expected.source);
    expect(b.n).toBe(c.expected.n);
    expectClose(b.mean, c.expected.mean, 1e-10, `${name} mean`);
    expectClose(b.sd, c.expected.sd, 1e-8, `${name} sd`);
    expectClose(b.correlation, c.expected.correlation, 1e-8, `${name} correlation`);
  });

  it('is not estimable without rows or users', () => {
    expect(baselineOf([], 'conversion', 'binomial', { control: 'control', prePeriodDays: 0 })).toMatchObject({ status: 'not-estimable', reason: 'INSUFFICIENT_DATA' });
    const empty: OverallAggregate = {
      variant: 'control', metric: 'conversion', metric_type: 'binomial', n: 0, sum: 0, sum_squares: 0, pre_sum: 0, pre_sum_squares: 0, sum_pre_product: 0,
      denominator_sum: null, denominator_sum_squares: null, numerator_denominator_sum: null,
    };
    expect(baselineOf([empty], 'conversion', 'binomial', { control: 'control', prePeriodDays: 14 })).toMatchObject({ status: 'not-estimable' });
  });
});
