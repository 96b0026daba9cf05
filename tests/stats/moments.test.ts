import { describe, expect, it } from 'vitest';
import { armMoments, sampleCovariance, sampleVariance } from '../../src/stats/moments.ts';
import { expectClose, meanStatsOf } from './helpers.ts';

describe('moments from sufficient statistics', () => {
  it('computes the unbiased mean and variance', () => {
    const m = armMoments(meanStatsOf([1, 2, 3, 4, 10]), 'arm');
    expect(m).toMatchObject({ n: 5, mean: 4 });
    if ('variance' in m) expectClose(m.variance, 12.5, 1e-14, 'variance');
  });

  it('treats rounding residue of a constant metric as exactly zero', () => {
    const s = meanStatsOf(Array.from({ length: 1000 }, () => 0.1));
    expect(s.sumSquares - (s.sum * s.sum) / s.n).not.toBe(0); // the raw formula leaves noise
    expect(sampleVariance(s.n, s.sum, s.sumSquares, 'arm')).toBe(0);
  });

  it('keeps a small but real variance on a large mean (sd/mean = 1e-5)', () => {
    // One-pass sums lose up to n * eps * (mean/sd)^2 of relative precision; at sd/mean below ~1e-6
    // the variance drowns in rounding and is reported as zero (see docs/statistics.md).
    const values = Array.from({ length: 1000 }, (_, i) => 1e3 + (i % 2 === 0 ? 0.01 : -0.01));
    const s = meanStatsOf(values);
    expectClose(sampleVariance(s.n, s.sum, s.sumSquares, 'arm'), (0.0001 * 1000) / 999, 1e-3, 'variance');
  });

  it('covariance of x and 2x is twice the variance of x', () => {
    const x = [1, 4, 2, 8, 5];
    const sum = x.reduce((a, b) => a + b, 0);
    const sumSq = x.reduce((a, b) => a + b * b, 0);
    expectClose(sampleCovariance(5, sum, 2 * sum, 2 * sumSq, 2 * sumSq), 2 * sampleVariance(5, sum, sumSq, 'x'), 1e-14, 'cov');
  });

  it('empty and single-unit arms are not estimable; impossible sums throw', () => {
    expect(armMoments({ n: 0, sum: 0, sumSquares: 0 }, 'arm')).toMatchObject({ status: 'not-estimable', reason: 'EMPTY_VARIANT' });
    expect(armMoments({ n: 1, sum: 3, sumSquares: 9 }, 'arm')).toMatchObject({ status: 'not-estimable', reason: 'INSUFFICIENT_DATA' });
    expect(() => armMoments({ n: 3, sum: 30, sumSquares: 10 }, 'arm')).toThrow(/inconsistent/);
    expect(() => armMoments({ n: 3, sum: Number.POSITIVE_INFINITY, sumSquares: 10 }, 'arm')).toThrow(/finite/);
  });
});
