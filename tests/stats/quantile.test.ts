/**
 * quantileTest against GrowthBook's quantile test (gbstats QuantileStatistic) written out in
 * tests/fixtures/stats/make_gbstats_fixtures.py from raw values, and its not-estimable cases.
 */
import { describe, expect, it } from 'vitest';
import { quantileTest, type QuantileStats } from '../../src/stats/quantile.ts';
import type { Difference } from '../../src/stats/types.ts';
import { expectClose, expectIntervalClose, loadFixture, ok } from './helpers.ts';

interface Case {
  readonly name: string;
  readonly control: QuantileStats;
  readonly treatment: QuantileStats;
  readonly config: { readonly alpha: number; readonly difference: Difference };
  readonly expected: { readonly estimate: number; readonly se: number; readonly ci: readonly [number, number]; readonly pValue: number };
  readonly tolerance: number;
}

const fixture = loadFixture<Case>('gbstats_quantile.json');

describe('quantileTest golden values (gbstats QuantileStatistic)', () => {
  it.each(fixture.cases.map((c) => [c.name, c] as const))('%s', (name, c) => {
    const r = ok(quantileTest(c.control, c.treatment, c.config));
    expectClose(r.estimate, c.expected.estimate, c.tolerance, `${name} estimate`);
    expectClose(r.se, c.expected.se, c.tolerance, `${name} se`);
    expectIntervalClose(r.ci, c.expected.ci, c.tolerance, `${name} ci`);
    expectClose(r.pValue, c.expected.pValue, c.tolerance, `${name} p`);
    expect(r.controlQuantile).toBe(c.control.quantile);
  });
});

describe('quantileTest not estimable', () => {
  const arm: QuantileStats = { n: 1000, nu: 0.9, quantile: 10, lower: 9, upper: 11 };
  it('an empty arm, too few users for the interval, tied bounds, a zero baseline', () => {
    expect(quantileTest({ ...arm, n: 0 }, arm)).toMatchObject({ status: 'not-estimable', reason: 'EMPTY_VARIANT' });
    // z² · 0.99 / 0.01 ≈ 380 users are needed before the 99th percentile's interval fits in the sample
    expect(quantileTest({ ...arm, nu: 0.99, n: 300 }, { ...arm, nu: 0.99 })).toMatchObject({ status: 'not-estimable', reason: 'INSUFFICIENT_DATA' });
    expect(quantileTest({ ...arm, lower: 10, upper: 10 }, arm)).toMatchObject({ status: 'not-estimable', reason: 'ZERO_VARIANCE' });
    expect(quantileTest({ ...arm, quantile: 0, lower: 0, upper: 1 }, arm, { difference: 'relative' })).toMatchObject({ status: 'not-estimable', reason: 'ZERO_BASELINE' });
  });
  it('inconsistent statistics are a bug upstream and throw', () => {
    expect(() => quantileTest({ ...arm, lower: 12 }, arm)).toThrow(RangeError);
    expect(() => quantileTest({ ...arm, nu: 1 }, arm)).toThrow(RangeError);
  });
});
