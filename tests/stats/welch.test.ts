import { describe, expect, it } from 'vitest';
import type { MeanStats, TestConfig } from '../../src/stats/types.ts';
import { welchTest, zTestMeans } from '../../src/stats/welch.ts';
import { expectClose, expectIntervalClose, expectRateNear, loadFixture, meanStatsOf, ok, seededRng, type Rng } from './helpers.ts';

interface Case {
  readonly name: string;
  readonly fn: 'welchTest' | 'zTestMeans';
  readonly control: MeanStats;
  readonly treatment: MeanStats;
  readonly config: TestConfig;
  readonly expected: {
    readonly estimate: number;
    readonly se: number;
    readonly statistic: number;
    readonly pValue: number;
    readonly df: number | null;
    readonly ci: readonly (number | null)[];
  };
  readonly tolerance?: number;
}

const fixture = loadFixture<Case>('welch.json');
const fns = { welchTest, zTestMeans };

describe('welchTest / zTestMeans golden values', () => {
  it.each(fixture.cases.map((c) => [c.name, c] as const))('%s', (name, c) => {
    const r = ok(fns[c.fn](c.control, c.treatment, c.config));
    const tol = c.tolerance ?? 1e-6;
    expectClose(r.estimate, c.expected.estimate, tol, `${name} estimate`);
    expectClose(r.se, c.expected.se, tol, `${name} se`);
    expectClose(r.statistic, c.expected.statistic, tol, `${name} statistic`);
    expectClose(r.pValue, c.expected.pValue, tol, `${name} pValue`);
    expectClose(r.df, c.expected.df, tol, `${name} df`);
    expectIntervalClose(r.ci, c.expected.ci, tol, `${name} ci`);
  });
});

function sample(rng: Rng, n: number, mean: number, sd: number): number[] {
  return Array.from({ length: n }, () => mean + sd * rng.normal());
}

describe('welchTest simulations (seeded)', () => {
  const sims = 4000;

  it('A/A false-positive rate is alpha, two-sided and one-sided, with unequal variances and sizes', () => {
    const rng = seededRng(1);
    let twoSided = 0;
    let greater = 0;
    let zTwoSided = 0;
    for (let s = 0; s < sims; s++) {
      const c = meanStatsOf(sample(rng, 15, 5, 1));
      const t = meanStatsOf(sample(rng, 40, 5, 3));
      if (ok(welchTest(c, t)).pValue < 0.05) twoSided++;
      if (ok(welchTest(c, t, { alternative: 'greater' })).pValue < 0.05) greater++;
      if (ok(zTestMeans(c, t)).pValue < 0.05) zTwoSided++;
    }
    expectRateNear(twoSided, sims, 0.05, 'two-sided A/A');
    expectRateNear(greater, sims, 0.05, 'greater A/A');
    // The z-test ignores the t tails at n = 15: it is anti-conservative, which is why Welch is the default.
    expect(zTwoSided / sims).toBeGreaterThan(twoSided / sims);
  });

  it('95% intervals cover the true difference and the true lift', () => {
    const rng = seededRng(2);
    let absolute = 0;
    let relative = 0;
    for (let s = 0; s < sims; s++) {
      const c = meanStatsOf(sample(rng, 200, 10, 2));
      const t = meanStatsOf(sample(rng, 220, 10.5, 2.5));
      const [lo, hi] = ok(welchTest(c, t)).ci as [number, number];
      if (lo <= 0.5 && 0.5 <= hi) absolute++;
      const [rlo, rhi] = ok(welchTest(c, t, { difference: 'relative' })).ci as [number, number];
      if (rlo <= 0.05 && 0.05 <= rhi) relative++;
    }
    expectRateNear(absolute, sims, 0.95, 'absolute coverage');
    expectRateNear(relative, sims, 0.95, 'relative (delta method) coverage');
  });

  it('a non-inferiority test rejects at rate alpha when the effect sits on the margin', () => {
    const rng = seededRng(3);
    let rejections = 0;
    for (let s = 0; s < sims; s++) {
      const c = meanStatsOf(sample(rng, 100, 0, 1));
      const t = meanStatsOf(sample(rng, 100, -0.2, 1));
      if (ok(welchTest(c, t, { alternative: 'greater', margin: 0.2 })).pValue < 0.05) rejections++;
    }
    expectRateNear(rejections, sims, 0.05, 'non-inferiority at the margin');
  });
});

describe('welchTest consistency', () => {
  it('p < alpha exactly when the interval excludes the null effect', () => {
    const rng = seededRng(4);
    for (let s = 0; s < 300; s++) {
      const c = meanStatsOf(sample(rng, 20, 0, 1));
      const t = meanStatsOf(sample(rng, 25, 0.5 * rng.normal(), 1));
      for (const config of [
        { alternative: 'two-sided' },
        { alternative: 'greater', margin: 0.1 },
        { alternative: 'less', margin: 0.1 },
      ] as const) {
        const r = ok(welchTest(c, t, config));
        const nullEffect = config.alternative === 'greater' ? -config.margin : config.alternative === 'less' ? config.margin : 0;
        const [lo, hi] = r.ci;
        const excludes = (lo !== null && lo > nullEffect) || (hi !== null && hi < nullEffect);
        expect(r.pValue < 0.05, JSON.stringify(config)).toBe(excludes);
      }
    }
  });

  it('one-sided intervals have exactly one unbounded side', () => {
    const c = { n: 10, sum: 10, sumSquares: 14 };
    const t = { n: 12, sum: 15, sumSquares: 22 };
    expect(ok(welchTest(c, t, { alternative: 'greater' })).ci[1]).toBeNull();
    expect(ok(welchTest(c, t, { alternative: 'less' })).ci[0]).toBeNull();
    expect(ok(zTestMeans(c, t)).df).toBeNull();
  });
});

describe('welchTest degenerate inputs', () => {
  const arm = { n: 10, sum: 50, sumSquares: 270 };

  it('an empty arm is EMPTY_VARIANT', () => {
    expect(welchTest({ n: 0, sum: 0, sumSquares: 0 }, arm)).toMatchObject({ status: 'not-estimable', reason: 'EMPTY_VARIANT' });
    expect(zTestMeans(arm, { n: 0, sum: 0, sumSquares: 0 })).toMatchObject({ status: 'not-estimable', reason: 'EMPTY_VARIANT' });
  });

  it('a single user is INSUFFICIENT_DATA', () => {
    expect(welchTest({ n: 1, sum: 3, sumSquares: 9 }, arm)).toMatchObject({ reason: 'INSUFFICIENT_DATA' });
  });

  it('zero variance in both arms is ZERO_VARIANCE, even when rounding leaves a tiny residue', () => {
    expect(welchTest({ n: 5, sum: 10, sumSquares: 20 }, { n: 6, sum: 18, sumSquares: 54 })).toMatchObject({ reason: 'ZERO_VARIANCE' });
    const tenths = meanStatsOf(Array.from({ length: 7 }, () => 0.1));
    const thirds = meanStatsOf(Array.from({ length: 9 }, () => 1 / 3));
    expect(welchTest(tenths, thirds)).toMatchObject({ reason: 'ZERO_VARIANCE' });
  });

  it('zero variance in one arm only is estimable', () => {
    const r = ok(welchTest({ n: 5, sum: 10, sumSquares: 20 }, arm));
    expect(r.se).toBeGreaterThan(0);
  });

  it('a relative lift over a zero control mean is ZERO_BASELINE', () => {
    expect(welchTest({ n: 4, sum: 0, sumSquares: 8 }, arm, { difference: 'relative' })).toMatchObject({ reason: 'ZERO_BASELINE' });
  });

  it('invalid configuration and impossible statistics throw', () => {
    expect(() => welchTest(arm, arm, { alpha: 1.5 })).toThrow(RangeError);
    expect(() => welchTest(arm, arm, { margin: 0.1 })).toThrow(/one-sided/);
    expect(() => welchTest(arm, arm, { alternative: 'greater', margin: -1 })).toThrow(RangeError);
    expect(() => welchTest({ n: -1, sum: 0, sumSquares: 0 }, arm)).toThrow(RangeError);
    expect(() => welchTest({ n: 2.5, sum: 0, sumSquares: 0 }, arm)).toThrow(RangeError);
    expect(() => welchTest({ n: 10, sum: 100, sumSquares: 10 }, arm)).toThrow(/inconsistent/);
    expect(() => welchTest({ n: 10, sum: Number.NaN, sumSquares: 10 }, arm)).toThrow(/finite/);
  });
});
