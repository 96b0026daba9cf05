import { describe, expect, it } from 'vitest';
import { contrast, intervalOf, nullEffect, pValueOf, satterthwaiteDf, validateTestConfig, waldInference } from '../../src/stats/inference.ts';
import { defaultTestConfig } from '../../src/stats/types.ts';
import { expectClose } from './helpers.ts';

describe('inference helpers', () => {
  it('nullEffect follows the non-inferiority convention', () => {
    expect(nullEffect('greater', 0.2)).toBe(-0.2);
    expect(nullEffect('less', 0.2)).toBe(0.2);
    expect(nullEffect('two-sided', 0)).toBe(0);
  });

  it('p-values: two-sided doubles the tail, one-sided picks a side', () => {
    expectClose(pValueOf(1.959963984540054, 'two-sided', { kind: 'normal' }), 0.05, 1e-12, 'z');
    expectClose(pValueOf(1.6448536269514722, 'greater', { kind: 'normal' }), 0.05, 1e-12, 'greater');
    expectClose(pValueOf(-1.6448536269514722, 'less', { kind: 'normal' }), 0.05, 1e-12, 'less');
    expectClose(pValueOf(2.0, 'two-sided', { kind: 't', df: 10 }), 0.07338803477074756, 1e-9, 't(10)');
    expect(pValueOf(0, 'two-sided', { kind: 'normal' })).toBeCloseTo(1, 15);
  });

  it('intervals: symmetric two-sided, one bounded side otherwise', () => {
    const [lo, hi] = intervalOf(1, 0.5, 0.05, 'two-sided', { kind: 'normal' });
    expectClose(lo, 1 - 0.979981992270027, 1e-12, 'lower');
    expectClose(hi, 1 + 0.979981992270027, 1e-12, 'upper');
    expect(intervalOf(1, 0.5, 0.05, 'greater', { kind: 'normal' })[1]).toBeNull();
    expect(intervalOf(1, 0.5, 0.05, 'less', { kind: 'normal' })[0]).toBeNull();
  });

  it('waldInference shifts the statistic by the margin but not the interval', () => {
    const plain = waldInference(0.1, 0.1, { ...defaultTestConfig, alternative: 'greater' }, { kind: 'normal' });
    const margin = waldInference(0.1, 0.1, { ...defaultTestConfig, alternative: 'greater', margin: 0.1 }, { kind: 'normal' });
    expectClose(margin.statistic, plain.statistic + 1, 1e-12, 'statistic');
    expect(margin.ci).toEqual(plain.ci);
  });

  it('contrast: absolute adds variances; relative uses the delta method; zero baseline is not estimable', () => {
    const c = { estimate: 10, variance: 0.04 };
    const t = { estimate: 11, variance: 0.09 };
    expect(contrast(c, t, 'absolute', 'x')).toMatchObject({ estimate: 1, treatmentComponent: 0.09, controlComponent: 0.04 });
    const r = contrast(c, t, 'relative', 'x');
    expect(r).toMatchObject({ estimate: 0.1 });
    if ('variance' in r) expectClose(r.variance, 0.09 / 100 + (121 * 0.04) / 10000, 1e-12, 'delta variance');
    // a negative baseline keeps the sign of the difference
    expect(contrast({ estimate: -10, variance: 1 }, { estimate: -9, variance: 1 }, 'relative', 'x')).toMatchObject({ estimate: 0.1 });
    expect(contrast({ estimate: 0, variance: 1 }, t, 'relative', 'x')).toMatchObject({ status: 'not-estimable', reason: 'ZERO_BASELINE' });
  });

  it('Satterthwaite df: equal components with equal n give 2(n - 1); one component gives its own n - 1', () => {
    expectClose(satterthwaiteDf([[1, 11], [1, 11]]), 20, 1e-12, 'equal');
    expectClose(satterthwaiteDf([[0, 5], [2, 31]]), 30, 1e-12, 'one-sided');
  });

  it('validateTestConfig rejects bad alpha and misplaced margins', () => {
    expect(() => validateTestConfig({ ...defaultTestConfig, alpha: 0 }, 'x')).toThrow(RangeError);
    expect(() => validateTestConfig({ ...defaultTestConfig, margin: 0.1 }, 'x')).toThrow(RangeError);
    expect(() => validateTestConfig({ ...defaultTestConfig, alternative: 'less', margin: Number.POSITIVE_INFINITY }, 'x')).toThrow(RangeError);
    expect(() => validateTestConfig({ ...defaultTestConfig, alternative: 'less', margin: 0.1 }, 'x')).not.toThrow();
  });
});
