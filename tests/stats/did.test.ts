import { describe, expect, it } from 'vitest';
import { differenceInDifferences, type DidConfig } from '../../src/stats/did.ts';
import type { DidStats } from '../../src/stats/types.ts';
import { expectClose, expectIntervalClose, expectRateNear, loadFixture, ok, seededRng, type Rng } from './helpers.ts';

interface Case {
  readonly name: string;
  readonly control: DidStats;
  readonly treatment: DidStats;
  readonly config: DidConfig;
  readonly expected: { readonly estimate: number; readonly se: number; readonly pValue: number; readonly df: number; readonly ci: readonly (number | null)[] };
  readonly reference: { readonly statsmodelsCR0: number; readonly statsmodelsCR1: number; readonly welchSeOfChanges: number };
}

const fixture = loadFixture<Case>('did.json');

describe('differenceInDifferences golden values', () => {
  it.each(fixture.cases.map((c) => [c.name, c] as const))('%s: estimate = OLS interaction, se = CR2 cluster-robust', (name, c) => {
    const r = ok(differenceInDifferences(c.control, c.treatment, c.config));
    expectClose(r.estimate, c.expected.estimate, 1e-9, `${name} estimate`);
    expectClose(r.se, c.expected.se, 1e-9, `${name} se (CR2 from the raw design)`);
    expectClose(r.se, c.reference.welchSeOfChanges, 1e-9, `${name} se (Welch on per-unit changes)`);
    expectClose(r.pValue, c.expected.pValue, 1e-6, `${name} pValue`);
    expectClose(r.df, c.expected.df, 1e-9, `${name} df`);
    expectIntervalClose(r.ci, c.expected.ci, 1e-6, `${name} ci`);
    // CR0 <= CR2; statsmodels' default CR1 is within a few percent at these sizes
    expect(c.reference.statsmodelsCR0).toBeLessThan(r.se);
    expect(Math.abs(c.reference.statsmodelsCR1 / r.se - 1)).toBeLessThan(0.02);
  });

  it('in a balanced design CR2 is exactly CR0 * sqrt(n / (n - 1))', () => {
    const c = fixture.cases.find((x) => x.name.startsWith('balanced'));
    expect(c).toBeDefined();
    const n = (c as Case).control.n;
    const r = ok(differenceInDifferences((c as Case).control, (c as Case).treatment));
    expectClose(r.se, (c as Case).reference.statsmodelsCR0 * Math.sqrt(n / (n - 1)), 1e-9, 'CR0 scaled');
  });
});

function panel(rng: Rng, n: number, effect: number): DidStats {
  const s = { n, preSum: 0, preSumSquares: 0, postSum: 0, postSumSquares: 0, sumPrePost: 0 };
  for (let i = 0; i < n; i++) {
    const level = 10 + 3 * rng.normal(); // persistent unit effect: pre and post are correlated
    const pre = level + rng.normal();
    const post = level + 0.5 + effect + rng.normal();
    s.preSum += pre;
    s.preSumSquares += pre * pre;
    s.postSum += post;
    s.postSumSquares += post * post;
    s.sumPrePost += pre * post;
  }
  return s;
}

describe('differenceInDifferences simulations (seeded)', () => {
  it('has alpha false positives under parallel trends and 95% coverage under an effect', () => {
    const rng = seededRng(61);
    const sims = 3000;
    let falsePositives = 0;
    let covered = 0;
    for (let s = 0; s < sims; s++) {
      if (ok(differenceInDifferences(panel(rng, 40, 0), panel(rng, 50, 0))).pValue < 0.05) falsePositives++;
      const [lo, hi] = ok(differenceInDifferences(panel(rng, 40, 0), panel(rng, 50, 0.8))).ci as [number, number];
      if (lo <= 0.8 && 0.8 <= hi) covered++;
    }
    expectRateNear(falsePositives, sims, 0.05, 'DiD false positives');
    expectRateNear(covered, sims, 0.95, 'DiD coverage');
  });
});

describe('differenceInDifferences degenerate inputs', () => {
  const empty: DidStats = { n: 0, preSum: 0, preSumSquares: 0, postSum: 0, postSumSquares: 0, sumPrePost: 0 };
  const rng = seededRng(62);
  const good = panel(rng, 10, 0);

  it('reports EMPTY_VARIANT, INSUFFICIENT_DATA and ZERO_VARIANCE', () => {
    expect(differenceInDifferences(empty, good)).toMatchObject({ reason: 'EMPTY_VARIANT' });
    expect(differenceInDifferences({ n: 1, preSum: 2, preSumSquares: 4, postSum: 3, postSumSquares: 9, sumPrePost: 6 }, good)).toMatchObject({
      reason: 'INSUFFICIENT_DATA',
    });
    // every unit gains exactly 0.1 (decimal values, so the sums carry rounding noise)
    const shifted = (values: number[]): DidStats => {
      const s = { n: values.length, preSum: 0, preSumSquares: 0, postSum: 0, postSumSquares: 0, sumPrePost: 0 };
      for (const v of values) {
        const post = v + 0.1;
        s.preSum += v;
        s.preSumSquares += v * v;
        s.postSum += post;
        s.postSumSquares += post * post;
        s.sumPrePost += v * post;
      }
      return s;
    };
    expect(differenceInDifferences(shifted([1.3, 2.7, 5.1]), shifted([0.2, 9.9, 4.4, 3.3]))).toMatchObject({ reason: 'ZERO_VARIANCE' });
  });

  it('a margin needs a one-sided alternative', () => {
    expect(() => differenceInDifferences(good, good, { margin: 1 })).toThrow(RangeError);
  });
});
