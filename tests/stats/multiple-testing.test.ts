import { describe, expect, it } from 'vitest';
import { adjustPValues, type AdjustmentMethod } from '../../src/stats/multiple-testing.ts';
import { expectClose, loadFixture } from './helpers.ts';

interface Case {
  readonly pValues: readonly number[];
  readonly method: AdjustmentMethod;
  readonly expected: readonly number[];
}

const fixture = loadFixture<Case>('multiple_testing.json');

describe('adjustPValues golden values (statsmodels multipletests)', () => {
  it.each(fixture.cases.map((c) => [`${c.method} [${c.pValues.join(', ')}]`, c] as const))('%s', (name, c) => {
    const adjusted = adjustPValues(c.pValues, c.method);
    expect(adjusted).toHaveLength(c.expected.length);
    adjusted.forEach((a, i) => expectClose(a, c.expected[i], 1e-12, `${name} [${i}]`));
  });
});

describe('adjustPValues properties', () => {
  it('never lowers a p-value, keeps the order and caps at 1', () => {
    const p = [0.3, 0.001, 0.04, 0.02, 0.5, 0.011];
    for (const method of ['bonferroni', 'holm', 'bh'] as const) {
      const a = adjustPValues(p, method);
      a.forEach((v, i) => {
        expect(v).toBeGreaterThanOrEqual(p[i] as number);
        expect(v).toBeLessThanOrEqual(1);
      });
      const byP = p.map((v, i) => [v, a[i] as number] as const).sort((x, y) => x[0] - y[0]);
      for (let i = 1; i < byP.length; i++) expect((byP[i] as readonly [number, number])[1]).toBeGreaterThanOrEqual((byP[i - 1] as readonly [number, number])[1]);
    }
  });

  it('handles the empty family and rejects invalid p-values', () => {
    expect(adjustPValues([], 'holm')).toEqual([]);
    expect(() => adjustPValues([0.2, 1.1], 'bh')).toThrow(RangeError);
    expect(() => adjustPValues([Number.NaN], 'bonferroni')).toThrow(RangeError);
    expect(() => adjustPValues([0.1], 'sidak' as AdjustmentMethod)).toThrow(RangeError);
  });
});
