/**
 * CUPED for ratio metrics against gbstats' regression-adjusted ratio statistic
 * (tests/fixtures/stats/make_gbstats_fixtures.py: the same formulas over raw per-user rows),
 * and its not-estimable cases.
 */
import { describe, expect, it } from 'vitest';
import { ratioCupedTest, type RatioCupedStats } from '../../src/stats/ratio-cuped.ts';
import { ratioTest } from '../../src/stats/ratio.ts';
import type { Difference } from '../../src/stats/types.ts';
import { expectClose, expectIntervalClose, loadFixture, ok } from './helpers.ts';

interface Case {
  readonly name: string;
  readonly control: RatioCupedStats;
  readonly treatment: RatioCupedStats;
  readonly config: { readonly alpha: number; readonly difference: Difference };
  readonly expected: { readonly theta: number; readonly estimate: number; readonly se: number; readonly ci: readonly [number, number]; readonly pValue: number };
  readonly tolerance: number;
}

const fixture = loadFixture<Case>('gbstats_ratio_cuped.json');

describe('ratioCupedTest golden values (gbstats RegressionAdjustedRatioStatistic)', () => {
  it.each(fixture.cases.map((c) => [c.name, c] as const))('%s', (name, c) => {
    const r = ok(ratioCupedTest(c.control, c.treatment, c.config));
    expectClose(r.theta, c.expected.theta, c.tolerance, `${name} theta`);
    expectClose(r.estimate, c.expected.estimate, c.tolerance, `${name} estimate`);
    expectClose(r.se, c.expected.se, c.tolerance, `${name} se`);
    expectIntervalClose(r.ci, c.expected.ci, c.tolerance, `${name} ci`);
    expectClose(r.pValue, c.expected.pValue, c.tolerance, `${name} p`);
  });

  it('reduces the variance of the raw ratio test when the pre-period ratio correlates', () => {
    const c = fixture.cases[0]!;
    const r = ok(ratioCupedTest(c.control, c.treatment, c.config));
    const raw = ok(ratioTest(c.control, c.treatment, c.config));
    expect(r.unadjusted.se).toBe(raw.se);
    expect(r.se).toBeLessThan(raw.se);
    expectClose(r.varianceReduction, 1 - (r.se / raw.se) ** 2, 1e-12, 'variance reduction');
  });
});

describe('ratioCupedTest not estimable', () => {
  const base = fixture.cases[0]!.control;
  it('an empty arm, a single user, no pre-period denominator, no pre-period variance', () => {
    expect(ratioCupedTest({ ...base, n: 0 }, base)).toMatchObject({ status: 'not-estimable', reason: 'EMPTY_VARIANT' });
    expect(ratioCupedTest(base, { ...base, n: 1 })).toMatchObject({ status: 'not-estimable', reason: 'INSUFFICIENT_DATA' });
    expect(ratioCupedTest({ ...base, preDenominatorSum: 0 }, base)).toMatchObject({ status: 'not-estimable', reason: 'NO_COVARIATE' });
    // every user has the same pre-period ratio: the linearised pre ratio has no variance
    const flat: RatioCupedStats = { ...base, preNumeratorSum: 2 * base.n, preNumeratorSumSquares: 4 * base.n, preDenominatorSum: base.n, preDenominatorSumSquares: base.n, preNumeratorDenominatorSum: 2 * base.n };
    expect(ratioCupedTest(flat, flat)).toMatchObject({ status: 'not-estimable', reason: 'NO_COVARIATE' });
  });
  it('a non-finite sum is a bug upstream and throws', () => {
    expect(() => ratioCupedTest({ ...base, numeratorPreNumeratorSum: Number.NaN }, base)).toThrow(RangeError);
  });
});
