import { describe, expect, it } from 'vitest';
import { ratioTest } from '../../src/stats/ratio.ts';
import type { RatioStats, TestConfig } from '../../src/stats/types.ts';
import { zTestMeans } from '../../src/stats/welch.ts';
import { expectClose, expectIntervalClose, expectRateNear, loadFixture, ok, seededRng } from './helpers.ts';

interface Case {
  readonly name: string;
  readonly control: RatioStats;
  readonly treatment: RatioStats;
  readonly config: TestConfig;
  readonly expected: {
    readonly estimate: number;
    readonly se: number;
    readonly pValue: number;
    readonly ci: readonly (number | null)[];
    readonly controlRatio: number;
    readonly treatmentRatio: number;
  };
  readonly tolerance: number;
}

const fixture = loadFixture<Case>('ratio.json');

function ratioStatsOf(pairs: readonly (readonly [number, number])[]): RatioStats {
  const s = { n: pairs.length, numeratorSum: 0, numeratorSumSquares: 0, denominatorSum: 0, denominatorSumSquares: 0, numeratorDenominatorSum: 0 };
  for (const [x, y] of pairs) {
    s.numeratorSum += x;
    s.numeratorSumSquares += x * x;
    s.denominatorSum += y;
    s.denominatorSumSquares += y * y;
    s.numeratorDenominatorSum += x * y;
  }
  return s;
}

describe('ratioTest golden values (linearization on raw data)', () => {
  it.each(fixture.cases.map((c) => [c.name, c] as const))('%s', (name, c) => {
    const r = ok(ratioTest(c.control, c.treatment, c.config));
    expectClose(r.estimate, c.expected.estimate, c.tolerance, `${name} estimate`);
    expectClose(r.se, c.expected.se, c.tolerance, `${name} se`);
    expectClose(r.pValue, c.expected.pValue, c.tolerance, `${name} pValue`);
    expectIntervalClose(r.ci, c.expected.ci, c.tolerance, `${name} ci`);
    expectClose(r.controlRatio, c.expected.controlRatio, 1e-12, `${name} controlRatio`);
    expectClose(r.treatmentRatio, c.expected.treatmentRatio, 1e-12, `${name} treatmentRatio`);
  });
});

describe('ratioTest properties', () => {
  it('with a denominator of 1 per unit it is the z-test of the numerator mean (up to n/(n-1))', () => {
    const rng = seededRng(21);
    const c = ratioStatsOf(Array.from({ length: 300 }, () => [rng.normal() + 3, 1] as const));
    const t = ratioStatsOf(Array.from({ length: 280 }, () => [rng.normal() + 3.2, 1] as const));
    const r = ok(ratioTest(c, t));
    const z = ok(
      zTestMeans({ n: c.n, sum: c.numeratorSum, sumSquares: c.numeratorSumSquares }, { n: t.n, sum: t.numeratorSum, sumSquares: t.numeratorSumSquares }),
    );
    expectClose(r.estimate, z.estimate, 1e-12, 'estimate');
    expectClose(r.se, z.se, 1e-9, 'se');
  });

  it('A/A false-positive rate is alpha with clustered page views (seeded simulation)', () => {
    const rng = seededRng(22);
    const sims = 2000;
    let rejections = 0;
    const arm = (n: number) =>
      ratioStatsOf(
        Array.from({ length: n }, () => {
          const views = 1 + Math.floor(rng.uniform() * 8);
          const userCtr = 0.05 + 0.2 * rng.uniform(); // users differ: clicks are correlated within a user
          return [rng.binomial(views, userCtr), views] as const;
        }),
      );
    for (let s = 0; s < sims; s++) if (ok(ratioTest(arm(250), arm(250))).pValue < 0.05) rejections++;
    expectRateNear(rejections, sims, 0.05, 'ratio A/A');
  });
});

describe('ratioTest degenerate inputs', () => {
  const arm: RatioStats = { n: 4, numeratorSum: 3, numeratorSumSquares: 5, denominatorSum: 10, denominatorSumSquares: 28, numeratorDenominatorSum: 9 };
  const zeroes: RatioStats = { n: 0, numeratorSum: 0, numeratorSumSquares: 0, denominatorSum: 0, denominatorSumSquares: 0, numeratorDenominatorSum: 0 };

  it('reports EMPTY_VARIANT, INSUFFICIENT_DATA, ZERO_DENOMINATOR, ZERO_BASELINE and ZERO_VARIANCE', () => {
    expect(ratioTest(zeroes, arm)).toMatchObject({ reason: 'EMPTY_VARIANT' });
    expect(ratioTest({ ...zeroes, n: 1, denominatorSum: 2, denominatorSumSquares: 4 }, arm)).toMatchObject({ reason: 'INSUFFICIENT_DATA' });
    expect(ratioTest({ ...zeroes, n: 5 }, arm)).toMatchObject({ reason: 'ZERO_DENOMINATOR' });
    const noClicks: RatioStats = { n: 3, numeratorSum: 0, numeratorSumSquares: 0, denominatorSum: 6, denominatorSumSquares: 14, numeratorDenominatorSum: 0 };
    expect(ratioTest(noClicks, arm, { difference: 'relative' })).toMatchObject({ reason: 'ZERO_BASELINE' });
    // x = 0.5 y for every unit in both arms: the ratio is exactly 0.5 everywhere
    const exact = ratioStatsOf([
      [1, 2],
      [2, 4],
      [3, 6],
    ]);
    expect(ratioTest(exact, exact)).toMatchObject({ reason: 'ZERO_VARIANCE' });
  });
});
