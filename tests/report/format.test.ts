/** Numbers for people: grouping, significant digits, percents, points, p-values, intervals, tiny numbers. */
import { describe, expect, it } from 'vitest';
import {
  decimalsFor, fmtCount, fmtFixed, fmtInterval, fmtNumber, fmtP, fmtPercent, fmtPoints, fmtProbability, fmtPValue, fmtSigned, fmtSignedPercent, fmtSmall, fmtZ,
  groupNumbersInText,
} from '../../src/report/format.ts';
import { fmtDifferenceCi, fmtLiftCi, fmtSlope, fmtValues } from '../../src/report/memo/values.ts';

describe('number formatting', () => {
  it.each([
    [1234567, '1,234,567'], [0, '0'], [-4321.4, '-4,321'], [999.5, '1,000'], [null, '—'], [Number.NaN, '—'],
  ])('fmtCount(%s) = %s', (x, want) => expect(fmtCount(x)).toBe(want));

  it.each([
    [12.4839, '12.5'], [0.000123456, '0.000123'], [1234567.8, '1,234,568'], [9.996, '10.0'], [-0.004, '-0.00400'],
    [0.5, '0.500'], [100, '100'], [0.9, '0.900'], [-0.0000001, '-0.000000100'],
  ])('fmtNumber(%s) = %s (3 significant digits, trailing zeros kept: they say how precise it is)', (x, want) => expect(fmtNumber(x)).toBe(want));

  it.each([
    [-0.00000178, '-1.8 × 10⁻⁶'], [0.000454, '4.5 × 10⁻⁴'], [0.0242, '0.024'], [0, '0'], [12.3, '12'], [0.001, '0.0010'],
  ])('fmtSmall(%s) = %s (a power of ten below 0.001, never a run of zeros)', (x, want) => expect(fmtSmall(x)).toBe(want));

  it('decimals for a group: the largest value decides, the others get as many', () => {
    expect(decimalsFor([4.4, -3.03, 11.8], 2)).toBe(0);
    expect(decimalsFor([0.431, -0.281, 1.14], 2)).toBe(1);
    expect(decimalsFor([0.0272, -0.0829, 0.137], 3)).toBe(3);
    expect(decimalsFor([9.96], 2)).toBe(0); // rounds to 10
    expect(decimalsFor([null, undefined], 2, 1)).toBe(1);
    expect(fmtFixed(-0.0004, 2)).toBe('0.00');
    expect(fmtFixed(12345.678, 1)).toBe('12,345.7');
  });

  it('percents, signed percents and percentage points keep their decimals', () => {
    expect(fmtPercent(0.03124)).toBe('3.1%');
    expect(fmtPercent(0.5)).toBe('50.0%');
    expect(fmtPercent(1)).toBe('100.0%');
    expect(fmtPercent(0.03124, 2)).toBe('3.12%');
    expect(fmtSignedPercent(0.031)).toBe('+3.1%');
    expect(fmtSignedPercent(-0.00421, 2)).toBe('-0.42%');
    expect(fmtSignedPercent(0)).toBe('0.0%');
    expect(fmtSignedPercent(0.0001)).toBe('0.0%');
    expect(fmtPoints(0.0031)).toBe('+0.31 pp');
    expect(fmtPoints(-0.0117)).toBe('-1.17 pp');
    expect(fmtSigned(0.512, 3)).toBe('+0.512');
    expect(fmtSigned(-12.34, 1)).toBe('-12.3');
  });

  it('an estimate and its interval share their decimals: never "+1.9% [-5.86%, +9.66%]" or "9.66% vs 10%"', () => {
    expect(fmtLiftCi(0.019, -0.0586, 0.0966)).toEqual({ value: '+1.9%', ci: '[-5.9%, +9.7%]' });
    expect(fmtLiftCi(0.044, -0.0303, 0.118)).toEqual({ value: '+4.4%', ci: '[-3.0%, +11.8%]' });
    expect(fmtLiftCi(0.0004, -0.0002, 0.001)).toEqual({ value: '+0.04%', ci: '[-0.02%, +0.10%]' });
    expect(fmtDifferenceCi('binomial', 0.00431, -0.00281, 0.0114)).toEqual({ value: '+0.43 pp', ci: '[-0.28 pp, +1.14 pp]' });
    expect(fmtDifferenceCi('mean', 0.0272, -0.0829, 0.137)).toEqual({ value: '+0.027', ci: '[-0.083, +0.137]' });
    expect(fmtValues('binomial', [0.098, 0.1023])).toEqual(['9.8%', '10.2%']);
    expect(fmtValues('binomial', [0.1, 0.0966])).toEqual(['10.0%', '9.7%']);
    expect(fmtValues('mean', [1.43, 1.451], ' EUR')).toEqual(['1.43 EUR', '1.45 EUR']);
  });

  it('slopes per day: percentage points for rates, a power of ten when tiny', () => {
    expect(fmtSlope('binomial', -0.0000123)).toBe('-0.0012 pp per day');
    expect(fmtSlope('binomial', -0.00000178)).toBe('-1.8 × 10⁻⁴ pp per day');
    expect(fmtSlope('mean', -0.000454)).toBe('-4.5 × 10⁻⁴ per day');
    expect(fmtSlope('mean', 0.0242)).toBe('+0.024 per day');
  });

  it('groups the thousands of whole numbers in free text, not dates, decimals or names', () => {
    expect(groupNumbersInText('0 of 28209 exposure rows; 25566 users.')).toBe('0 of 28,209 exposure rows; 25,566 users.');
    expect(groupNumbersInText('on 2026-01-05 at 12:3456, x_12345, v1234, 0.00012345 and 1234,5')).toBe('on 2026-01-05 at 12:3456, x_12345, v1234, 0.00012345 and 1234,5');
    expect(groupNumbersInText('(1234567)')).toBe('(1,234,567)');
  });

  it('p-values and probabilities never read as certainty', () => {
    expect(fmtPValue(0.04912)).toBe('0.049');
    expect(fmtPValue(0.9)).toBe('0.90');
    expect(fmtPValue(0.0004)).toBe('< 0.001');
    expect(fmtPValue(0.999)).toBe('> 0.99');
    expect(fmtP(0.0004)).toBe('p < 0.001');
    expect(fmtP(0.19, 'adjusted p')).toBe('adjusted p = 0.19');
    expect(fmtProbability(0.9973)).toBe('99.7%');
    expect(fmtProbability(0.99999)).toBe('> 99.9%');
    expect(fmtProbability(0.00001)).toBe('< 0.1%');
  });

  it('intervals, one-sided intervals and z', () => {
    expect(fmtInterval(0.012, 0.05, fmtSignedPercent)).toBe('[+1.2%, +5.0%]');
    expect(fmtInterval(-0.02, null, fmtSignedPercent)).toBe('[-2.0%, +∞]');
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
