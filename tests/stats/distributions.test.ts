import { describe, expect, it } from 'vitest';
import * as d from '../../src/stats/distributions.ts';
import { expectClose, loadFixture } from './helpers.ts';

interface Case {
  readonly fn: 'studentTSf' | 'studentTQuantile' | 'normalCdf' | 'normalSf' | 'normalQuantile' | 'chiSquareSf' | 'chiSquareCdf' | 'logBeta';
  readonly via?: string;
  readonly args: readonly number[];
  readonly expected: number;
}

const fixture = loadFixture<Case>('distributions.json');

describe('distributions against scipy', () => {
  const cases = fixture.cases.filter((c): c is Case & { fn: Exclude<Case['fn'], 'logBeta'> } => c.fn !== 'logBeta');
  it.each(cases.map((c) => [`${c.fn}(${c.args.join(', ')})`, c] as const))('%s', (_name, c) => {
    const fn = d[c.fn] as (...args: number[]) => number;
    // 1e-9 relative: well inside the 1e-6 the tests of the methods use.
    expectClose(fn(...c.args), c.expected, 1e-9, `${c.fn}(${c.args.join(', ')})`);
  });
});

describe('distribution identities', () => {
  it('t tails are symmetric and sum to one', () => {
    for (const df of [1, 3.5, 40, 5e6]) {
      for (const x of [0.2, 1.7, 6]) {
        expect(d.studentTSf(x, df) + d.studentTCdf(x, df)).toBeCloseTo(1, 14);
        expect(d.studentTSf(-x, df)).toBeCloseTo(d.studentTCdf(x, df), 14);
      }
    }
  });

  it('quantiles invert the cdfs', () => {
    for (const p of [1e-8, 0.01, 0.3, 0.5, 0.77, 0.995]) {
      expectClose(d.normalCdf(d.normalQuantile(p)), p, 1e-13, `normal p=${p}`);
      for (const df of [1.3, 7, 250]) expectClose(d.studentTCdf(d.studentTQuantile(p, df), df), p, 1e-11, `t df=${df} p=${p}`);
    }
  });

  it('keeps relative accuracy deep in the normal tail', () => {
    // 1 - Phi(10) = 7.6198530241605e-24; 1 - erf-based formulas return 0 here.
    expectClose(d.normalSf(10), 7.619853024160527e-24, 1e-12, 'normalSf(10)');
    expectClose(d.chiSquareSf(200, 2), Math.exp(-100), 1e-12, 'chi2 sf with 2 df is exp(-x/2)');
  });

  it('rejects invalid arguments', () => {
    expect(() => d.normalQuantile(1.2)).toThrow(RangeError);
    expect(() => d.studentTSf(1, 0)).toThrow(RangeError);
    expect(() => d.chiSquareSf(1, -1)).toThrow(RangeError);
    expect(d.normalQuantile(0)).toBe(Number.NEGATIVE_INFINITY);
    expect(d.studentTQuantile(1, 5)).toBe(Number.POSITIVE_INFINITY);
  });
});
