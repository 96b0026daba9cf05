import { describe, expect, it } from 'vitest';
import { alphaSpent, groupSequentialBounds, type GroupSequentialConfig } from '../../src/stats/group-sequential.ts';
import { expectClose, expectRateNear, loadFixture, seededRng } from './helpers.ts';

interface Case {
  readonly name: string;
  readonly source: string;
  readonly config: GroupSequentialConfig;
  readonly expected: { readonly zBounds: readonly number[]; readonly cumulativeAlphaSpent?: readonly number[] };
  readonly tolerance: number;
}

const fixture = loadFixture<Case>('group_sequential.json');

describe('groupSequentialBounds golden values', () => {
  it.each(fixture.cases.map((c) => [c.name, c] as const))('%s', (name, c) => {
    expect(c.source.length).toBeGreaterThan(5);
    const r = groupSequentialBounds(c.config);
    expect(r.zBounds).toHaveLength(c.expected.zBounds.length);
    // boundaries: absolute 1e-4 (published values carry 7 significant digits; the MVN
    // cross-check is accurate to ~1e-6)
    r.zBounds.forEach((b, k) => expect(Math.abs(b - (c.expected.zBounds[k] as number)), `${name} look ${k + 1}`).toBeLessThanOrEqual(Math.max(c.tolerance, 1e-4)));
    c.expected.cumulativeAlphaSpent?.forEach((a, k) => expectClose(r.cumulativeAlphaSpent[k], a, 1e-6, `${name} alpha spent ${k + 1}`));
  });
});

describe('groupSequentialBounds properties', () => {
  it('the bound at look k depends only on looks 1..k (unequal, incomplete information)', () => {
    const full = groupSequentialBounds({ informationFractions: [0.15, 0.4, 0.45, 0.8, 1], alpha: 0.05, sided: 2 });
    for (let k = 1; k <= 4; k++) {
      const partial = groupSequentialBounds({ informationFractions: [0.15, 0.4, 0.45, 0.8, 1].slice(0, k), alpha: 0.05, sided: 2 });
      expect(partial.zBounds).toEqual(full.zBounds.slice(0, k));
    }
  });

  it('a final look at t = 1 spends all of alpha, and the increments add up', () => {
    for (const spending of ['obrien-fleming', 'pocock'] as const) {
      for (const sided of [1, 2] as const) {
        const r = groupSequentialBounds({ informationFractions: [0.3, 0.6, 1], alpha: 0.05, sided, spending });
        expect(r.cumulativeAlphaSpent.at(-1)).toBeCloseTo(0.05, 15);
        expect(r.incrementalAlphaSpent.reduce((a, b) => a + b, 0)).toBeCloseTo(0.05, 15);
        r.nominalAlpha.forEach((nominal, k) => expect(nominal).toBeLessThanOrEqual((r.cumulativeAlphaSpent[k] as number) + 1e-12));
      }
    }
  });

  it('a single look at t = 1 is the fixed-horizon test', () => {
    expectClose(groupSequentialBounds({ informationFractions: [1], alpha: 0.05, sided: 2 }).zBounds[0], 1.959963984540054, 1e-12, 'two-sided');
    expectClose(groupSequentialBounds({ informationFractions: [1], alpha: 0.05, sided: 1, spending: 'pocock' }).zBounds[0], 1.6448536269514722, 1e-12, 'one-sided');
  });

  it('spends nothing (bound = Infinity) where the O\'Brien-Fleming function is below 1e-300', () => {
    const r = groupSequentialBounds({ informationFractions: [0.001, 0.5, 1], alpha: 0.05, sided: 2 });
    expect(r.zBounds[0]).toBe(Number.POSITIVE_INFINITY);
    expect(Number.isFinite(r.zBounds[1])).toBe(true);
    expect(alphaSpent('obrien-fleming', 0.05, 2, 0.001)).toBeLessThan(1e-300);
  });

  it('handles 20 looks', () => {
    const f = Array.from({ length: 20 }, (_, i) => (i + 1) / 20);
    const r = groupSequentialBounds({ informationFractions: f, alpha: 0.05, sided: 2, spending: 'pocock' });
    expect(r.zBounds).toHaveLength(20);
    // Pocock-type bounds are nearly flat
    expect(Math.max(...r.zBounds) - Math.min(...r.zBounds)).toBeLessThan(0.4);
  });

  it('rejects invalid designs', () => {
    expect(() => groupSequentialBounds({ informationFractions: [] })).toThrow(RangeError);
    expect(() => groupSequentialBounds({ informationFractions: [0.5, 0.5] })).toThrow(RangeError);
    expect(() => groupSequentialBounds({ informationFractions: [0.5, 1.2] })).toThrow(RangeError);
    expect(() => groupSequentialBounds({ informationFractions: [0.5, 1], alpha: 0 })).toThrow(RangeError);
  });
});

describe('type-I error with 5 looks under H0 (seeded Brownian-motion simulation)', () => {
  const sims = 20000;
  const fractions = [0.2, 0.4, 0.6, 0.8, 1];

  function rejections(bounds: readonly number[], seed: number): number {
    const rng = seededRng(seed);
    let hits = 0;
    for (let s = 0; s < sims; s++) {
      let sum = 0;
      let previous = 0;
      for (let k = 0; k < fractions.length; k++) {
        const t = fractions[k] as number;
        sum += Math.sqrt(t - previous) * rng.normal();
        previous = t;
        if (Math.abs(sum / Math.sqrt(t)) >= (bounds[k] as number)) {
          hits++;
          break;
        }
      }
    }
    return hits;
  }

  it('peeking with a fixed 1.96 inflates the error to about 0.142 (Armitage, McPherson & Rowe 1969)', () => {
    expectRateNear(rejections([1.96, 1.96, 1.96, 1.96, 1.96], 41), sims, 0.142, 'naive peeking');
  });

  it("O'Brien-Fleming and Pocock spending hold it at alpha = 0.05", () => {
    const obf = groupSequentialBounds({ informationFractions: fractions, alpha: 0.05, sided: 2, spending: 'obrien-fleming' });
    const pocock = groupSequentialBounds({ informationFractions: fractions, alpha: 0.05, sided: 2, spending: 'pocock' });
    expectRateNear(rejections(obf.zBounds, 42), sims, 0.05, "O'Brien-Fleming");
    expectRateNear(rejections(pocock.zBounds, 43), sims, 0.05, 'Pocock');
  });
});
