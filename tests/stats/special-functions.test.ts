import { describe, expect, it } from 'vitest';
import { erfc, incompleteGamma, logBeta, logGamma, regularizedIncompleteBeta } from '../../src/stats/special-functions.ts';
import { expectClose, loadFixture } from './helpers.ts';

interface Case {
  readonly fn: string;
  readonly args: readonly [number, number];
  readonly expected: number;
}

// log Beta references are in distributions.json (mpmath at 40 digits).
const fixture = loadFixture<Case>('distributions.json');

describe('logBeta against mpmath', () => {
  it.each(fixture.cases.filter((c) => c.fn === 'logBeta').map((c) => [c.args.join(', '), c] as const))('logBeta(%s)', (name, c) => {
    expectClose(logBeta(c.args[0], c.args[1]), c.expected, 1e-13, `logBeta(${name})`);
  });
});

describe('special-function identities', () => {
  it('erfc at known points', () => {
    expectClose(erfc(0), 1, 1e-15, 'erfc(0)');
    expectClose(erfc(1), 0.15729920705028513, 1e-15, 'erfc(1)');
    expectClose(erfc(-1), 1.8427007929497148, 1e-15, 'erfc(-1)');
    expectClose(erfc(5), 1.5374597944280349e-12, 1e-14, 'erfc(5)');
  });

  it('logGamma: factorials and Gamma(1/2) = sqrt(pi)', () => {
    expectClose(logGamma(0.5), 0.5 * Math.log(Math.PI), 1e-14, 'Gamma(1/2)');
    let logFactorial = 0;
    for (let n = 1; n <= 30; n++) {
      expectClose(logGamma(n + 1), (logFactorial += Math.log(n)), 1e-14, `${n}!`);
    }
    expect(() => logGamma(0)).toThrow(RangeError);
  });

  it('incomplete beta: I_x(1, 1) = x, I_x(a, 1) = x^a, and the symmetry I_x(a, b) = 1 - I_(1-x)(b, a)', () => {
    for (const x of [0.01, 0.3, 0.77]) {
      expectClose(regularizedIncompleteBeta(x, 1 - x, 1, 1), x, 1e-14, 'uniform');
      expectClose(regularizedIncompleteBeta(x, 1 - x, 3.5, 1), x ** 3.5, 1e-13, 'power');
      expectClose(regularizedIncompleteBeta(x, 1 - x, 2.5, 7) + regularizedIncompleteBeta(1 - x, x, 7, 2.5), 1, 1e-14, 'symmetry');
    }
    expect(regularizedIncompleteBeta(0, 1, 2, 3)).toBe(0);
    expect(regularizedIncompleteBeta(1, 0, 2, 3)).toBe(1);
  });

  it('incomplete gamma: P(1, x) = 1 - exp(-x) and P + Q = 1', () => {
    for (const x of [0.1, 1, 2.5, 40]) {
      const { lower, upper } = incompleteGamma(1, x);
      expectClose(upper, Math.exp(-x), 1e-14, `Q(1, ${x})`);
      expect(lower + upper).toBeCloseTo(1, 15);
    }
    expect(incompleteGamma(3, 0)).toEqual({ lower: 0, upper: 1 });
    expect(() => incompleteGamma(0, 1)).toThrow(RangeError);
  });
});
