import { describe, expect, it } from 'vitest';
import { chiSquareIndependence } from '../../src/stats/independence.ts';
import { expectClose, loadFixture, ok } from './helpers.ts';

interface Case {
  readonly table: readonly (readonly number[])[];
  readonly expected: { readonly chi2: number; readonly df: number; readonly pValue: number };
}

const fixture = loadFixture<Case>('independence.json');

describe('chiSquareIndependence golden values (scipy.stats.chi2_contingency, no correction)', () => {
  it.each(fixture.cases.map((c) => [JSON.stringify(c.table), c] as const))('%s', (name, c) => {
    const r = ok(chiSquareIndependence(c.table));
    expectClose(r.chi2, c.expected.chi2, 1e-9, `${name} chi2`);
    expect(r.df).toBe(c.expected.df);
    expectClose(r.pValue, c.expected.pValue, 1e-9, `${name} pValue`);
  });
});

describe('chiSquareIndependence behaviour', () => {
  it('is not estimable when the overlap holds one arm of an experiment only', () => {
    const r = chiSquareIndependence([[10, 12], [0, 0]]);
    expect(r).toMatchObject({ status: 'not-estimable', reason: 'INSUFFICIENT_DATA' });
  });

  it('refuses ragged tables and non-counts', () => {
    expect(() => chiSquareIndependence([[1, 2], [3]])).toThrow(/row 1 has 1 cells/);
    expect(() => chiSquareIndependence([[1, 2.5], [3, 4]])).toThrow(/non-negative integer/);
  });
});
