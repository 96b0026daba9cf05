/** Numbers for people: grouping, significant digits, percents, points, p-values, intervals. */
import { describe, expect, it } from 'vitest';
import {
  fmtCount, fmtInterval, fmtNumber, fmtP, fmtPercent, fmtPoints, fmtProbability, fmtPValue, fmtSigned, fmtSignedPercent, fmtZ,
} from '../../src/report/format.ts';

describe('number formatting', () => {
  it.each([
    [1234567, '1,234,567'], [0, '0'], [-4321.4, '-4,321'], [999.5, '1,000'], [null, '—'], [Number.NaN, '—'],
  ])('fmtCount(%s) = %s', (x, want) => expect(fmtCount(x)).toBe(want));

  it.each([
    [12.4839, '12.5'], [0.000123456, '0.000123'], [1234567.8, '1,234,568'], [9.996, '10'], [-0.004, '-0.004'],
    [0.5, '0.5'], [100, '100'], [1e-9, '0.000000001'], [-0.0000001, '-0.0000001'],
  ])('fmtNumber(%s) = %s (3 significant digits, no exponent, no trailing zeros)', (x, want) => expect(fmtNumber(x)).toBe(want));

  it('percents, signed percents and percentage points', () => {
    expect(fmtPercent(0.03124)).toBe('3.12%');
    expect(fmtPercent(1)).toBe('100%');
    expect(fmtSignedPercent(0.031)).toBe('+3.1%');
    expect(fmtSignedPercent(-0.00421)).toBe('-0.421%');
    expect(fmtSignedPercent(0)).toBe('0%');
    expect(fmtPoints(0.0031)).toBe('+0.31 pp');
    expect(fmtPoints(-0.0117)).toBe('-1.17 pp');
    expect(fmtSigned(0.512)).toBe('+0.512');
    expect(fmtSigned(-12.34)).toBe('-12.3');
  });

  it('p-values and probabilities never read as certainty', () => {
    expect(fmtPValue(0.04912)).toBe('0.049');
    expect(fmtPValue(0.0004)).toBe('< 0.001');
    expect(fmtPValue(0.999)).toBe('> 0.99');
    expect(fmtP(0.0004)).toBe('p < 0.001');
    expect(fmtP(0.19, 'adjusted p')).toBe('adjusted p = 0.19');
    expect(fmtProbability(0.9973)).toBe('99.7%');
    expect(fmtProbability(0.99999)).toBe('> 99.9%');
    expect(fmtProbability(0.00001)).toBe('< 0.1%');
  });

  it('intervals, one-sided intervals and z', () => {
    expect(fmtInterval(0.012, 0.05, fmtSignedPercent)).toBe('[+1.2%, +5%]');
    expect(fmtInterval(-0.02, null, fmtSignedPercent)).toBe('[-2%, +∞]');
    expect(fmtInterval(null, null, fmtSignedPercent)).toBe('—');
    expect(fmtZ(2.2449)).toBe('2.24');
    expect(fmtZ(-0.004)).toBe('0.00');
    expect(fmtZ(Infinity)).toBe('∞');
  });

  it('does not depend on the host locale', () => {
    const spy = Number.prototype.toLocaleString;
    Number.prototype.toLocaleString = function () { return 'LOCALE'; };
    try {
      expect(fmtCount(1234567)).toBe('1,234,567');
      expect(fmtNumber(1234567.8)).toBe('1,234,568');
    } finally {
      Number.prototype.toLocaleString = spy;
    }
  });
});
