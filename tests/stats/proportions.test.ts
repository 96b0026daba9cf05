import { describe, expect, it } from 'vitest';
import { proportionTest, type ProportionTestConfig } from '../../src/stats/proportions.ts';
import type { ProportionStats } from '../../src/stats/types.ts';
import { expectClose, expectIntervalClose, expectRateNear, loadFixture, ok, seededRng } from './helpers.ts';

interface Case {
  readonly name: string;
  readonly control: ProportionStats;
  readonly treatment: ProportionStats;
  readonly config: ProportionTestConfig;
  readonly expected: {
    readonly estimate?: number;
    readonly se?: number;
    readonly statistic: number;
    readonly pValue: number;
    readonly ci?: readonly (number | null)[];
  };
}

const fixture = loadFixture<Case>('proportions.json');

describe('proportionTest golden values (statsmodels)', () => {
  it.each(fixture.cases.map((c) => [c.name, c] as const))('%s', (name, c) => {
    const r = ok(proportionTest(c.control, c.treatment, c.config));
    const tol = 1e-6;
    expectClose(r.statistic, c.expected.statistic, tol, `${name} statistic`);
    expectClose(r.pValue, c.expected.pValue, tol, `${name} pValue`);
    if (c.expected.estimate !== undefined) expectClose(r.estimate, c.expected.estimate, tol, `${name} estimate`);
    if (c.expected.se !== undefined) expectClose(r.se, c.expected.se, tol, `${name} se`);
    if (c.expected.ci !== undefined) expectIntervalClose(r.ci, c.expected.ci, tol, `${name} ci`);
  });
});

describe('proportionTest simulations (seeded)', () => {
  const sims = 4000;

  it('A/A false-positive rate of the pooled z-test is alpha', () => {
    const rng = seededRng(11);
    let rejections = 0;
    let greater = 0;
    for (let s = 0; s < sims; s++) {
      const c = { n: 500, successes: rng.binomial(500, 0.1) };
      const t = { n: 500, successes: rng.binomial(500, 0.1) };
      if (ok(proportionTest(c, t)).pValue < 0.05) rejections++;
      if (ok(proportionTest(c, t, { alternative: 'greater' })).pValue < 0.05) greater++;
    }
    expectRateNear(rejections, sims, 0.05, 'two-sided A/A');
    expectRateNear(greater, sims, 0.05, 'one-sided A/A');
  });

  it('95% Newcombe, Wald and log-RR intervals cover the truth', () => {
    const rng = seededRng(12);
    let newcombe = 0;
    let wald = 0;
    let ratio = 0;
    for (let s = 0; s < sims; s++) {
      const c = { n: 800, successes: rng.binomial(800, 0.2) };
      const t = { n: 700, successes: rng.binomial(700, 0.23) };
      const inside = (ci: readonly (number | null)[], truth: number) => (ci[0] as number) <= truth && truth <= (ci[1] as number);
      if (inside(ok(proportionTest(c, t)).ci, 0.03)) newcombe++;
      if (inside(ok(proportionTest(c, t, { ci: 'wald' })).ci, 0.03)) wald++;
      if (inside(ok(proportionTest(c, t, { difference: 'relative' })).ci, 0.15)) ratio++;
    }
    expectRateNear(newcombe, sims, 0.95, 'newcombe coverage');
    expectRateNear(wald, sims, 0.95, 'wald coverage');
    expectRateNear(ratio, sims, 0.95, 'log risk-ratio coverage');
  });

  it('the score test with a margin rejects at rate alpha on the margin', () => {
    const rng = seededRng(13);
    let rejections = 0;
    for (let s = 0; s < sims; s++) {
      const c = { n: 1000, successes: rng.binomial(1000, 0.3) };
      const t = { n: 1000, successes: rng.binomial(1000, 0.28) };
      if (ok(proportionTest(c, t, { alternative: 'greater', margin: 0.02 })).pValue < 0.05) rejections++;
    }
    expectRateNear(rejections, sims, 0.05, 'non-inferiority on the margin');
  });
});

describe('proportionTest degenerate inputs', () => {
  it('an empty arm is EMPTY_VARIANT', () => {
    expect(proportionTest({ n: 0, successes: 0 }, { n: 10, successes: 3 })).toMatchObject({ reason: 'EMPTY_VARIANT' });
  });

  it('no successes anywhere (or all successes) is ZERO_VARIANCE', () => {
    expect(proportionTest({ n: 100, successes: 0 }, { n: 90, successes: 0 })).toMatchObject({ reason: 'ZERO_VARIANCE' });
    expect(proportionTest({ n: 100, successes: 100 }, { n: 90, successes: 90 })).toMatchObject({ reason: 'ZERO_VARIANCE' });
  });

  it('a zero-width Wald interval is ZERO_VARIANCE while Newcombe still answers', () => {
    const c = { n: 5, successes: 0 };
    const t = { n: 5, successes: 5 };
    expect(proportionTest(c, t, { ci: 'wald' })).toMatchObject({ reason: 'ZERO_VARIANCE' });
    const r = ok(proportionTest(c, t, { ci: 'newcombe' }));
    expect(r.ci[0]).toBeLessThan(1);
    expect(r.ci[1]).toBeLessThanOrEqual(1);
  });

  it('a relative lift over a zero control rate is ZERO_BASELINE; zero treatment successes is NO_EVENTS', () => {
    expect(proportionTest({ n: 100, successes: 0 }, { n: 100, successes: 4 }, { difference: 'relative' })).toMatchObject({ reason: 'ZERO_BASELINE' });
    expect(proportionTest({ n: 100, successes: 4 }, { n: 100, successes: 0 }, { difference: 'relative' })).toMatchObject({ reason: 'NO_EVENTS' });
  });

  it('impossible counts and configurations throw', () => {
    expect(() => proportionTest({ n: 10, successes: 11 }, { n: 10, successes: 1 })).toThrow(/successes/);
    expect(() => proportionTest({ n: 10, successes: 1.5 }, { n: 10, successes: 1 })).toThrow(RangeError);
    expect(() => proportionTest({ n: 10, successes: 1 }, { n: 10, successes: 1 }, { alternative: 'greater', margin: 1, difference: 'relative' })).toThrow(RangeError);
  });
});
