import { describe, expect, it } from 'vitest';
import { interactionTest, type CellStats } from '../../src/stats/interaction.ts';
import { expectClose, loadFixture, ok } from './helpers.ts';

interface Case {
  readonly name: string;
  readonly cells: readonly (readonly CellStats[])[];
  readonly expected: { readonly chi2: number; readonly df: number; readonly pValue: number; readonly estimate?: number; readonly standardError?: number };
}

const fixture = loadFixture<Case>('interaction.json');

describe('interactionTest golden values (OLS y ~ A*B with HC2 errors on per-user data)', () => {
  it.each(fixture.cases.map((c) => [c.name, c] as const))('%s', (name, c) => {
    const r = ok(interactionTest(c.cells));
    expectClose(r.chi2, c.expected.chi2, 1e-7, `${name} chi2`);
    expect(r.df).toBe(c.expected.df);
    expectClose(r.pValue, c.expected.pValue, 1e-7, `${name} pValue`);
    if (c.expected.estimate !== undefined) {
      expectClose(r.estimate!, c.expected.estimate, 1e-9, `${name} estimate`);
      expectClose(r.standardError!, c.expected.standardError!, 1e-7, `${name} se`);
    } else {
      expect(r.estimate).toBeNull();
    }
  });
});

describe('interactionTest behaviour', () => {
  const cell = (n: number, mean: number, sd: number): CellStats => ({ n, sum: n * mean, sumSquares: (n - 1) * sd * sd + n * mean * mean });

  it('is zero when A has the same effect in both arms of B', () => {
    const r = ok(interactionTest([[cell(100, 1, 1), cell(100, 2, 1)], [cell(100, 1.5, 1), cell(100, 2.5, 1)]]));
    expectClose(r.estimate!, 0, 1e-12, 'estimate');
    expectClose(r.pValue, 1, 1e-12, 'p');
  });

  it('is not estimable with a cell of one user or a constant metric', () => {
    expect(interactionTest([[cell(1, 1, 0), cell(10, 1, 1)], [cell(10, 1, 1), cell(10, 1, 1)]])).toMatchObject({ reason: 'INSUFFICIENT_DATA' });
    expect(interactionTest([[cell(10, 1, 0), cell(10, 1, 0)], [cell(10, 1, 0), cell(10, 1, 0)]])).toMatchObject({ reason: 'ZERO_VARIANCE' });
    expect(interactionTest([[cell(10, 1, 1), cell(10, 1, 1)]])).toMatchObject({ reason: 'INSUFFICIENT_DATA' });
  });
});
