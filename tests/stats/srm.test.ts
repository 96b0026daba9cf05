import { describe, expect, it } from 'vitest';
import { srmTest } from '../../src/stats/srm.ts';
import { expectClose, loadFixture, ok } from './helpers.ts';

interface Case {
  readonly observed: readonly number[];
  readonly expectedShares: readonly number[];
  readonly expected: { readonly chi2: number; readonly df: number; readonly pValue: number };
}

const fixture = loadFixture<Case>('srm.json');

describe('srmTest golden values (scipy.stats.chisquare)', () => {
  it.each(fixture.cases.map((c) => [c.observed.join('/'), c] as const))('%s', (name, c) => {
    const r = ok(srmTest(c.observed, c.expectedShares));
    expectClose(r.chi2, c.expected.chi2, 1e-9, `${name} chi2`);
    expect(r.df).toBe(c.expected.df);
    expectClose(r.pValue, c.expected.pValue, 1e-9, `${name} pValue`);
    expect(r.mismatch).toBe(c.expected.pValue < 0.001);
  });
});

describe('srmTest behaviour', () => {
  it('flags a 50.6/49.4 split of 100k users with the default 0.001 threshold, not a 50.1/49.9 one', () => {
    expect(ok(srmTest([50600, 49400], [0.5, 0.5])).mismatch).toBe(true);
    expect(ok(srmTest([50123, 49877], [0.5, 0.5])).mismatch).toBe(false);
    expect(ok(srmTest([50123, 49877], [0.5, 0.5], { threshold: 0.5 })).mismatch).toBe(true);
  });

  it('normalizes the shares', () => {
    expect(ok(srmTest([100, 300], [1, 3])).expected).toEqual([100, 300]);
  });

  it('no units at all is INSUFFICIENT_DATA; malformed input throws', () => {
    expect(srmTest([0, 0], [0.5, 0.5])).toMatchObject({ status: 'not-estimable', reason: 'INSUFFICIENT_DATA' });
    expect(() => srmTest([1, 2], [1])).toThrow(RangeError);
    expect(() => srmTest([1], [1])).toThrow(RangeError);
    expect(() => srmTest([1, 2], [0, 1])).toThrow(RangeError);
    expect(() => srmTest([1, -2], [1, 1])).toThrow(RangeError);
    expect(() => srmTest([1, 2], [1, 1], { threshold: 0 })).toThrow(RangeError);
  });
});
