import { describe, expect, it } from 'vitest';
import { minimumDetectableEffect, sampleSizeMeans, sampleSizeProportions, type MdeInput, type PowerConfig } from '../../src/stats/power.ts';
import { proportionTest } from '../../src/stats/proportions.ts';
import { welchTest } from '../../src/stats/welch.ts';
import { expectClose, expectRateNear, loadFixture, meanStatsOf, ok, seededRng } from './helpers.ts';

type Case =
  | {
      readonly fn: 'sampleSizeMeans';
      readonly input: { readonly sd: number; readonly effect: number };
      readonly config: PowerConfig;
      readonly expected: { readonly controlExact: number; readonly normalIndPowerControl: number };
    }
  | {
      readonly fn: 'sampleSizeProportions';
      readonly input: { readonly baseline: number; readonly effect: number; readonly effectType: 'absolute' | 'relative' };
      readonly config: PowerConfig;
      readonly expected: { readonly controlExact: number };
    }
  | {
      readonly fn: 'minimumDetectableEffect';
      readonly input: MdeInput;
      readonly config: PowerConfig;
      readonly expected: { readonly absolute: number; readonly relative?: number; readonly normalIndPowerAbsolute?: number };
    };

const fixture = loadFixture<Case>('power.json');

describe('power golden values (statsmodels)', () => {
  it.each(fixture.cases.map((c, i) => [`${i} ${c.fn} ${JSON.stringify(c.input)}`, c] as const))('%s', (name, c) => {
    if (c.fn === 'sampleSizeMeans') {
      const r = ok(sampleSizeMeans(c.input, c.config));
      expectClose(r.exact.control, c.expected.controlExact, 1e-9, `${name} one-tail`);
      // NormalIndPower also counts the far rejection tail: a few 1e-5 relative
      expectClose(r.exact.control, c.expected.normalIndPowerControl, 1e-4, `${name} NormalIndPower`);
      expect(r.control).toBe(Math.ceil(c.expected.controlExact));
      expectClose(r.exact.treatment, c.expected.controlExact * c.config.ratio, 1e-9, `${name} treatment`);
    } else if (c.fn === 'sampleSizeProportions') {
      const r = ok(sampleSizeProportions(c.input, c.config));
      expectClose(r.exact.control, c.expected.controlExact, 1e-9, name);
      expect(r.total).toBe(r.control + r.treatment);
    } else {
      const r = ok(minimumDetectableEffect(c.input, c.config));
      expectClose(r.absolute, c.expected.absolute, 1e-9, `${name} absolute`);
      if (c.expected.normalIndPowerAbsolute !== undefined) expectClose(r.absolute, c.expected.normalIndPowerAbsolute, 1e-4, `${name} NormalIndPower`);
      if (c.expected.relative !== undefined) expectClose(r.relative, c.expected.relative, 1e-9, `${name} relative`);
    }
  });
});

describe('power round trips', () => {
  it('the MDE at n is the effect whose sample size is n', () => {
    for (const ratio of [0.5, 1, 3]) {
      const mde = ok(minimumDetectableEffect({ metric: 'proportion', baseline: 0.12, controlN: 5000 }, { ratio }));
      expectClose(ok(sampleSizeProportions({ baseline: 0.12, effect: mde.absolute }, { ratio })).exact.control, 5000, 1e-9, `proportions ratio ${ratio}`);
      const m = ok(minimumDetectableEffect({ metric: 'mean', sd: 4, controlN: 5000, mean: 20 }, { ratio, sided: 1 }));
      expectClose(ok(sampleSizeMeans({ sd: 4, effect: m.absolute }, { ratio, sided: 1 })).exact.control, 5000, 1e-12, `means ratio ${ratio}`);
      expectClose(m.relative, m.absolute / 20, 1e-15, 'relative mde');
    }
  });

  it('a relative MDE is null without a baseline mean', () => {
    expect(ok(minimumDetectableEffect({ metric: 'mean', sd: 1, controlN: 100 })).relative).toBeNull();
  });
});

describe('power delivers the promised power (seeded simulation)', () => {
  const sims = 2000;

  it('welchTest at the sampleSizeMeans n rejects about 80% of the time', () => {
    const n = ok(sampleSizeMeans({ sd: 1, effect: 0.25 })).control;
    const rng = seededRng(81);
    let rejections = 0;
    for (let s = 0; s < sims; s++) {
      const c = meanStatsOf(Array.from({ length: n }, () => rng.normal()));
      const t = meanStatsOf(Array.from({ length: n }, () => 0.25 + rng.normal()));
      if (ok(welchTest(c, t)).pValue < 0.05) rejections++;
    }
    expectRateNear(rejections, sims, 0.8, 'means power');
  });

  it('the pooled z-test at the sampleSizeProportions n rejects about 80% of the time', () => {
    const { control, treatment } = ok(sampleSizeProportions({ baseline: 0.2, effect: 0.25, effectType: 'relative' }, { ratio: 1.5 }));
    const rng = seededRng(82);
    let rejections = 0;
    for (let s = 0; s < sims; s++) {
      const c = { n: control, successes: rng.binomial(control, 0.2) };
      const t = { n: treatment, successes: rng.binomial(treatment, 0.25) };
      if (ok(proportionTest(c, t)).pValue < 0.05) rejections++;
    }
    expectRateNear(rejections, sims, 0.8, 'proportions power');
  });
});

describe('power degenerate inputs', () => {
  it('reports ZERO_EFFECT, ZERO_VARIANCE and INSUFFICIENT_DATA', () => {
    expect(sampleSizeMeans({ sd: 1, effect: 0 })).toMatchObject({ status: 'not-estimable', reason: 'ZERO_EFFECT' });
    expect(sampleSizeMeans({ sd: 0, effect: 1 })).toMatchObject({ reason: 'ZERO_VARIANCE' });
    expect(sampleSizeProportions({ baseline: 0.3, effect: 0 })).toMatchObject({ reason: 'ZERO_EFFECT' });
    expect(minimumDetectableEffect({ metric: 'mean', sd: 0, controlN: 10 })).toMatchObject({ reason: 'ZERO_VARIANCE' });
    expect(minimumDetectableEffect({ metric: 'proportion', baseline: 0.5, controlN: 2 })).toMatchObject({ reason: 'INSUFFICIENT_DATA' });
  });

  it('rejects impossible rates and configurations', () => {
    expect(() => sampleSizeProportions({ baseline: 0.9, effect: 0.2 })).toThrow(RangeError);
    expect(() => sampleSizeProportions({ baseline: 0, effect: 0.2 })).toThrow(RangeError);
    expect(() => sampleSizeMeans({ sd: 1, effect: 1 }, { power: 1 })).toThrow(RangeError);
    expect(() => sampleSizeMeans({ sd: 1, effect: 1 }, { ratio: 0 })).toThrow(RangeError);
    expect(() => minimumDetectableEffect({ metric: 'mean', sd: 1, controlN: 0 })).toThrow(RangeError);
  });
});
