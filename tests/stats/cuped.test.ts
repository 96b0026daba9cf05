import { describe, expect, it } from 'vitest';
import { cupedTest } from '../../src/stats/cuped.ts';
import type { CupedStats, TestConfig } from '../../src/stats/types.ts';
import { expectClose, expectIntervalClose, expectRateNear, loadFixture, ok, seededRng, type Rng } from './helpers.ts';

interface Case {
  readonly name: string;
  readonly control: CupedStats;
  readonly treatment: CupedStats;
  readonly config: TestConfig;
  readonly expected: {
    readonly theta: number;
    readonly estimate: number;
    readonly se: number;
    readonly pValue: number;
    readonly ci: readonly (number | null)[];
    readonly varianceReduction: number;
    readonly unadjusted: { readonly estimate: number; readonly se: number; readonly pValue: number };
  };
  readonly tolerance: number;
}

const fixture = loadFixture<Case>('cuped.json');

function cupedStatsOf(pairs: readonly (readonly [x: number, y: number])[]): CupedStats {
  const s = { n: pairs.length, sum: 0, sumSquares: 0, preSum: 0, preSumSquares: 0, sumPreProduct: 0 };
  for (const [x, y] of pairs) {
    s.sum += y;
    s.sumSquares += y * y;
    s.preSum += x;
    s.preSumSquares += x * x;
    s.sumPreProduct += x * y;
  }
  return s;
}

describe('cupedTest golden values (adjusted raw data through statsmodels)', () => {
  it.each(fixture.cases.map((c) => [c.name, c] as const))('%s', (name, c) => {
    const r = ok(cupedTest(c.control, c.treatment, c.config));
    const tol = c.tolerance;
    expectClose(r.theta, c.expected.theta, tol, `${name} theta`);
    expectClose(r.estimate, c.expected.estimate, tol, `${name} estimate`);
    expectClose(r.se, c.expected.se, tol, `${name} se`);
    expectClose(r.pValue, c.expected.pValue, tol, `${name} pValue`);
    expectIntervalClose(r.ci, c.expected.ci, tol, `${name} ci`);
    expectClose(r.varianceReduction, c.expected.varianceReduction, tol, `${name} varianceReduction`);
    expectClose(r.unadjusted.estimate, c.expected.unadjusted.estimate, tol, `${name} unadjusted estimate`);
    expectClose(r.unadjusted.se, c.expected.unadjusted.se, tol, `${name} unadjusted se`);
    expectClose(r.unadjusted.pValue, c.expected.unadjusted.pValue, tol, `${name} unadjusted pValue`);
  });
});

/** n units with pre-period x ~ N(10, 2^2) and y = 5 + effect + 1.5 rho (x - 10) + 3 sqrt(1 - rho^2) e, so corr(x, y) = rho. */
function arm(rng: Rng, n: number, rho: number, effect: number): CupedStats {
  return cupedStatsOf(
    Array.from({ length: n }, () => {
      const x = 10 + 2 * rng.normal();
      return [x, 5 + effect + 1.5 * rho * (x - 10) + 3 * Math.sqrt(1 - rho * rho) * rng.normal()] as const;
    }),
  );
}

describe('cupedTest simulations (seeded)', () => {
  it('is unbiased, cuts the variance by about rho^2 and keeps 95% coverage', () => {
    const rng = seededRng(31);
    const sims = 2000;
    const rho = 0.7;
    const effect = 0.3;
    const adjusted: number[] = [];
    const raw: number[] = [];
    let covered = 0;
    for (let s = 0; s < sims; s++) {
      const r = ok(cupedTest(arm(rng, 200, rho, 0), arm(rng, 200, rho, effect)));
      adjusted.push(r.estimate);
      raw.push(r.unadjusted.estimate);
      const [lo, hi] = r.ci as [number, number];
      if (lo <= effect && effect <= hi) covered++;
    }
    const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
    const variance = (v: number[]) => {
      const m = mean(v);
      return v.reduce((a, b) => a + (b - m) ** 2, 0) / (v.length - 1);
    };
    // unbiased: within 4 MC standard errors of the truth
    expect(Math.abs(mean(adjusted) - effect)).toBeLessThan(4 * Math.sqrt(variance(adjusted) / sims));
    // variance ratio ~ 1 - rho^2 = 0.51; the MC relative SE of a variance ratio here is ~ 0.03
    expect(variance(adjusted) / variance(raw)).toBeGreaterThan(0.51 - 0.1);
    expect(variance(adjusted) / variance(raw)).toBeLessThan(0.51 + 0.1);
    expectRateNear(covered, sims, 0.95, 'CUPED coverage');
  });

  it('an uncorrelated covariate changes almost nothing', () => {
    const rng = seededRng(32);
    const r = ok(cupedTest(arm(rng, 5000, 0, 0), arm(rng, 5000, 0, 0.1)));
    expect(Math.abs(r.varianceReduction)).toBeLessThan(0.01);
    expect(Math.abs(r.theta)).toBeLessThan(0.1);
  });
});

describe('cupedTest degenerate inputs', () => {
  const good = cupedStatsOf([
    [1, 2],
    [2, 3.5],
    [3, 3],
    [4, 6],
  ]);

  it('a constant covariate is NO_COVARIATE', () => {
    const flat = cupedStatsOf([
      [5, 1],
      [5, 2],
      [5, 4],
    ]);
    expect(cupedTest(flat, flat)).toMatchObject({ status: 'not-estimable', reason: 'NO_COVARIATE' });
  });

  it('an empty arm, a single unit, a zero baseline and a zero variance are not estimable', () => {
    expect(cupedTest(cupedStatsOf([]), good)).toMatchObject({ reason: 'EMPTY_VARIANT' });
    expect(cupedTest(cupedStatsOf([[1, 2]]), good)).toMatchObject({ reason: 'INSUFFICIENT_DATA' });
    const zeroMean = cupedStatsOf([
      [1, -1],
      [2, 1],
    ]);
    expect(cupedTest(zeroMean, good, { difference: 'relative' })).toMatchObject({ reason: 'ZERO_BASELINE' });
    const constantY = cupedStatsOf([
      [1, 2],
      [2, 2],
      [3, 2],
    ]);
    expect(cupedTest(constantY, constantY)).toMatchObject({ reason: 'ZERO_VARIANCE' });
  });
});
