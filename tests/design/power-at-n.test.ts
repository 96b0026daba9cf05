/**
 * The power-at-n helpers against scipy (tests/fixtures/design/make_fixtures.py: the test
 * statistic's distribution under the alternative, brentq for the n at a target power), and
 * their agreement with the sample-size functions of src/stats/power.ts.
 */
import { describe, expect, it } from 'vitest';
import { powerMeans, powerNonInferiority, powerProportions, sampleSizeNonInferiority } from '../../src/design/power-at-n.ts';
import { sampleSizeMeans, sampleSizeProportions } from '../../src/stats/index.ts';
import { expectClose, ok } from '../stats/helpers.ts';
import { loadDesignFixture } from './helpers.ts';

type Config = { readonly alpha: number; readonly sided: 1 | 2; readonly ratio: number };
type Case =
  | { readonly fn: 'powerMeans'; readonly input: { sd: number; effect: number; controlN: number; varianceFactor: number }; readonly config: Config; readonly expected: { power: number; powerBothTails: number } }
  | { readonly fn: 'powerProportions'; readonly input: { baseline: number; effect: number; controlN: number; varianceFactor: number }; readonly config: Config; readonly expected: { power: number; controlNAt80: number } }
  | { readonly fn: 'nonInferiority'; readonly input: { mean: number; sd: number; margin: number; nPerArm: number; varianceFactor: number }; readonly config: { alpha: number; power: number }; readonly expected: { power: number; nPerArm: number } };

const fixture = loadDesignFixture<Case>('power_at_n.json');

describe('power at n (scipy)', () => {
  it.each(fixture.cases.map((c, i) => [`${i} ${c.fn} ${JSON.stringify(c.input)}`, c] as const))('%s', (name, c) => {
    if (c.fn === 'powerMeans') {
      const p = ok(powerMeans(c.input, c.config)).power;
      expectClose(p, c.expected.power, 1e-10, name);
      // the far rejection tail of a two-sided test is left out, as in src/stats/power.ts
      expect(p).toBeLessThanOrEqual(c.expected.powerBothTails * (1 + 1e-12));
      expect(c.expected.powerBothTails - p).toBeLessThan(1e-3);
    } else if (c.fn === 'powerProportions') {
      expectClose(ok(powerProportions(c.input, c.config)).power, c.expected.power, 1e-10, name);
      // the inverse of sampleSizeProportions: its control size is where the test reaches 80%
      const n = ok(sampleSizeProportions({ baseline: c.input.baseline, effect: c.input.effect }, { ...c.config, power: 0.8 })).exact.control;
      expectClose(n, c.expected.controlNAt80, 1e-8, `${name} n at 80%`);
    } else {
      const { nPerArm, ...design } = c.input;
      expectClose(ok(powerNonInferiority({ ...design, nPerArm }, c.config)).power, c.expected.power, 1e-10, name);
      expectClose(ok(sampleSizeNonInferiority(design, c.config)).exact.control, c.expected.nPerArm, 1e-8, `${name} n`);
    }
  });
});

describe('power at n: round trips and edges', () => {
  it('the power at the sample sampleSizeMeans returns is the power asked for', () => {
    for (const [sd, effect, power, sided] of [[1, 0.1, 0.8, 2], [5, -0.3, 0.9, 2], [2, 0.05, 0.8, 1]] as const) {
      const n = ok(sampleSizeMeans({ sd, effect }, { power, sided })).exact.control;
      expectClose(ok(powerMeans({ sd, effect, controlN: n }, { sided })).power, power, 1e-10, `${sd} ${effect}`);
    }
  });

  it('a variance factor f is a sample of n / f', () => {
    const a = ok(powerProportions({ baseline: 0.1, effect: 0.005, controlN: 10_000, varianceFactor: 0.8 })).power;
    const b = ok(powerProportions({ baseline: 0.1, effect: 0.005, controlN: 12_500 })).power;
    expectClose(a, b, 1e-12, 'n / f');
  });

  it('is symmetric in the sign of a mean effect and rises with n', () => {
    const up = ok(powerMeans({ sd: 1, effect: 0.1, controlN: 500 })).power;
    expect(ok(powerMeans({ sd: 1, effect: -0.1, controlN: 500 })).power).toBe(up);
    expect(ok(powerMeans({ sd: 1, effect: 0.1, controlN: 1000 })).power).toBeGreaterThan(up);
  });

  it('answers not-estimable, never a made-up power', () => {
    expect(powerMeans({ sd: 1, effect: 0, controlN: 100 })).toMatchObject({ status: 'not-estimable', reason: 'ZERO_EFFECT' });
    expect(powerMeans({ sd: 0, effect: 1, controlN: 100 })).toMatchObject({ status: 'not-estimable', reason: 'ZERO_VARIANCE' });
    expect(powerProportions({ baseline: 0.2, effect: 0, controlN: 100 })).toMatchObject({ reason: 'ZERO_EFFECT' });
    expect(powerNonInferiority({ mean: 0.3, sd: 0.45, margin: 0, nPerArm: 100 }, { alpha: 0.05 })).toMatchObject({ reason: 'ZERO_EFFECT' });
    expect(powerNonInferiority({ mean: 0, sd: 1, margin: 0.05, nPerArm: 100 }, { alpha: 0.05 })).toMatchObject({ reason: 'ZERO_BASELINE' });
    expect(sampleSizeNonInferiority({ mean: 2, sd: 0, margin: 0.05 }, { alpha: 0.05, power: 0.8 })).toMatchObject({ reason: 'ZERO_VARIANCE' });
  });

  it('throws on impossible input', () => {
    expect(() => powerProportions({ baseline: 0.98, effect: 0.05, controlN: 100 })).toThrow(/not a rate in \(0, 1\)/);
    expect(() => powerMeans({ sd: 1, effect: 1, controlN: 0 })).toThrow(/controlN=0/);
    expect(() => powerMeans({ sd: 1, effect: 1, controlN: 10, varianceFactor: 1.5 })).toThrow(/varianceFactor/);
  });
});
