import { describe, expect, it } from 'vitest';
import { bayesianTest, normalExpectedLoss, type BayesianConfig } from '../../src/stats/bayesian.ts';
import type { MeanStats } from '../../src/stats/types.ts';
import { welchTest } from '../../src/stats/welch.ts';
import { expectClose, expectIntervalClose, loadFixture, ok } from './helpers.ts';

interface Case {
  readonly name: string;
  readonly control: MeanStats;
  readonly treatment: MeanStats;
  readonly config: BayesianConfig;
  readonly expected: {
    readonly estimate: number;
    readonly posteriorSd: number;
    readonly chanceToBeatControl: number;
    readonly ci: readonly [number, number];
    readonly expectedLoss: { readonly treatment: number; readonly control: number };
  };
  readonly tolerance: number;
}

const fixture = loadFixture<Case>('bayesian.json');

describe('bayesianTest golden values (numerical integration of the posterior)', () => {
  it.each(fixture.cases.map((c) => [c.name, c] as const))('%s', (name, c) => {
    const r = ok(bayesianTest(c.control, c.treatment, c.config));
    const tol = c.tolerance;
    expectClose(r.estimate, c.expected.estimate, tol, `${name} estimate`);
    expectClose(r.posteriorSd, c.expected.posteriorSd, tol, `${name} posteriorSd`);
    expectClose(r.chanceToBeatControl, c.expected.chanceToBeatControl, tol, `${name} chance`);
    expectIntervalClose(r.ci, c.expected.ci, tol, `${name} ci`);
    expectClose(r.expectedLoss.treatment, c.expected.expectedLoss.treatment, tol, `${name} loss(treatment)`);
    expectClose(r.expectedLoss.control, c.expected.expectedLoss.control, tol, `${name} loss(control)`);
  });
});

describe('bayesianTest properties', () => {
  const control = { n: 400, sum: 2000, sumSquares: 11600 };
  const treatment = { n: 380, sum: 1995, sumSquares: 11900 };

  it('with a flat prior the credible interval is the z interval and the chance is 1 - one-sided p', () => {
    const b = ok(bayesianTest(control, treatment));
    const se = ok(welchTest(control, treatment)).se;
    expectClose(b.posteriorSd, se, 1e-12, 'sd');
    expectClose(b.ci[0], b.estimate - 1.959963984540054 * se, 1e-12, 'lower');
  });

  it('expected losses differ by the posterior mean: E[max(0, D)] - E[max(0, -D)] = E[D]', () => {
    for (const [mu, sigma] of [
      [0.3, 1],
      [-2, 0.5],
      [0, 3],
      [40, 1],
    ] as const) {
      const loss = normalExpectedLoss(mu, sigma);
      expect(loss.control - loss.treatment).toBeCloseTo(mu, 12);
      expect(loss.treatment).toBeGreaterThanOrEqual(0);
    }
  });

  it('a normal prior shrinks the estimate towards the prior mean', () => {
    const flat = ok(bayesianTest(control, treatment));
    const shrunk = ok(bayesianTest(control, treatment, { prior: { kind: 'normal', mean: 0, variance: flat.posteriorSd ** 2 } }));
    expectClose(shrunk.estimate, flat.estimate / 2, 1e-12, 'equal precisions halve the estimate');
    expect(shrunk.posteriorSd).toBeLessThan(flat.posteriorSd);
  });
});

describe('bayesianTest degenerate inputs', () => {
  it('reports EMPTY_VARIANT, INSUFFICIENT_DATA, ZERO_VARIANCE and ZERO_BASELINE', () => {
    const arm = { n: 5, sum: 10, sumSquares: 30 };
    expect(bayesianTest({ n: 0, sum: 0, sumSquares: 0 }, arm)).toMatchObject({ reason: 'EMPTY_VARIANT' });
    expect(bayesianTest({ n: 1, sum: 1, sumSquares: 1 }, arm)).toMatchObject({ reason: 'INSUFFICIENT_DATA' });
    expect(bayesianTest({ n: 3, sum: 3, sumSquares: 3 }, { n: 3, sum: 6, sumSquares: 12 })).toMatchObject({ reason: 'ZERO_VARIANCE' });
    expect(bayesianTest({ n: 2, sum: 0, sumSquares: 2 }, arm, { difference: 'relative' })).toMatchObject({ reason: 'ZERO_BASELINE' });
  });

  it('rejects an improper normal prior', () => {
    const arm = { n: 5, sum: 10, sumSquares: 30 };
    expect(() => bayesianTest(arm, arm, { prior: { kind: 'normal', mean: 0, variance: 0 } })).toThrow(RangeError);
  });
});
