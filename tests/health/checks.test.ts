/** Health checks on constructed inputs (pure): each check's verdict, the score, robust z. */
import { describe, expect, it } from 'vitest';
import { assessExperiment, worst } from '../../src/health/assess.ts';
import { anomalyCheck, freshnessCheck, multipleExposureCheck, paceCheck, splitCheck, srmCheck, srmDailyCheck } from '../../src/health/checks.ts';
import type { HealthInputs, MetricDay } from '../../src/health/inputs.ts';
import { median, robustZ } from '../../src/health/robust.ts';
import { defaultHealthThresholds as T } from '../../src/health/types.ts';
import { experiment } from '../report/support/inputs.ts';

/** 14 complete days of 200 new users a day split 50/50, conversion 10% in both arms. */
function healthy(over: Partial<HealthInputs> = {}): HealthInputs {
  const daily = Array.from({ length: 14 }, (_, d) => ['control', 'treatment'].map((variant) => ({ variant, expectedShare: 0.5, observed: 100, dayIndex: d, day: `2026-01-${String(5 + d).padStart(2, '0')}` }))).flat();
  const metricDays: MetricDay[] = daily.map((r) => ({ metric: 'conversion', variant: r.variant, dayIndex: r.dayIndex, day: r.day, n: 100 * (r.dayIndex + 1), sum: 10 * (r.dayIndex + 1) + (r.dayIndex % 3), sumSquares: 10 * (r.dayIndex + 1) + (r.dayIndex % 3) }));
  return {
    experiment: experiment({ sequential: { looks: 4, spending: 'obrien_fleming', alpha: 0.05, target_n_per_arm: 1400 } }),
    asOf: new Date('2026-01-19T00:00:00Z'),
    built: true,
    overall: [{ variant: 'control', expectedShare: 0.5, observed: 1400 }, { variant: 'treatment', expectedShare: 0.5, observed: 1400 }],
    daily,
    metricDays,
    newestEvent: '2026-01-18T23:50:00.000Z',
    multiVariant: { observed: 0, threshold: 0.001, details: '0 of 2800 users were served more than one variant' },
    exposures: { users: 2800, repeated: 280 },
    ...over,
  };
}

describe('health checks', () => {
  it('a healthy experiment scores 100 with every check ok', () => {
    const h = assessExperiment(healthy(), { name: 'A', lifecycle: 'running' });
    expect(h.checks.map((c) => [c.check, c.status])).toEqual([
      ['data', 'ok'], ['pace', 'ok'], ['split', 'ok'], ['srm', 'ok'], ['srm_daily', 'ok'], ['freshness', 'ok'], ['anomalies', 'ok'], ['multiple_exposures', 'ok'],
    ]);
    expect(h).toMatchObject({ score: 100, status: 'ok' });
  });

  it('SRM is critical, the split warns, and the score loses both deductions', () => {
    const i = healthy({ overall: [{ variant: 'control', expectedShare: 0.5, observed: 1250 }, { variant: 'treatment', expectedShare: 0.5, observed: 1550 }] });
    expect(srmCheck(i, T)).toMatchObject({ status: 'critical', deduction: 40 });
    expect(srmCheck(i, T).value).toMatch(/^p = /);
    expect(splitCheck(i, T)).toMatchObject({ status: 'warn', value: '44.6% / 55.4%' });
    const h = assessExperiment(i, { name: null, lifecycle: 'running' });
    expect(h).toMatchObject({ status: 'critical', score: 50 });
  });

  it('the experiment\'s decision.srm_threshold is the SRM threshold', () => {
    const i = healthy({ overall: [{ variant: 'control', expectedShare: 0.5, observed: 1340 }, { variant: 'treatment', expectedShare: 0.5, observed: 1460 }] });
    expect(srmCheck(i, T).status).toBe('ok'); // p ≈ 0.024
    expect(srmCheck({ ...i, experiment: experiment({ decision: { srm_threshold: 0.05, min_sample_per_arm: 100, power: 0.8 } }) }, T).status).toBe('critical');
  });

  it('daily SRM names the days whose new users break the split', () => {
    const i = healthy();
    const daily = i.daily.map((r) => (r.dayIndex === 3 ? { ...r, observed: r.variant === 'control' ? 40 : 160 } : r));
    expect(srmDailyCheck({ ...i, daily }, T)).toMatchObject({ status: 'warn', value: '1 of 14 days' });
    expect(srmDailyCheck({ ...i, daily }, T).detail).toContain('2026-01-08');
  });

  it('freshness: newest event against as-of, or the window end once it is over', () => {
    expect(freshnessCheck(healthy(), T)).toMatchObject({ status: 'ok', value: '0.2 h' });
    expect(freshnessCheck(healthy({ newestEvent: '2026-01-10T00:00:00.000Z' }), T)).toMatchObject({ status: 'critical', value: '9.0 days' });
    expect(freshnessCheck(healthy({ newestEvent: '2026-01-17T12:00:00.000Z' }), T)).toMatchObject({ status: 'warn', value: '36.0 h' });
    // long after the end, data that reached the end is fresh
    expect(freshnessCheck(healthy({ asOf: new Date('2026-06-01T00:00:00Z') }), T).status).toBe('ok');
    expect(freshnessCheck(healthy({ asOf: new Date('2026-01-01T00:00:00Z'), newestEvent: null }), T)).toMatchObject({ status: 'ok', value: 'not started' });
    expect(freshnessCheck(healthy({ newestEvent: null }), T).status).toBe('critical');
  });

  it('pace: the smallest arm against the target pro rata; no target, nothing to pace', () => {
    const mid = healthy({ asOf: new Date('2026-01-12T00:00:00Z'), overall: [{ variant: 'control', expectedShare: 0.5, observed: 400 }, { variant: 'treatment', expectedShare: 0.5, observed: 420 }] });
    expect(paceCheck(mid, T)).toMatchObject({ status: 'warn', value: '57% of pace' });
    expect(paceCheck(mid, T).detail).toContain('projected 800 of 1,400 per arm');
    expect(paceCheck({ ...mid, experiment: experiment({ sequential: undefined }) }, T)).toMatchObject({ status: 'ok', value: 'no target' });
  });

  it('anomalies: an outage day in new users, one arm\'s broken day; a trend in both arms is no anomaly', () => {
    const i = healthy();
    const outage = i.daily.map((r) => (r.dayIndex === 6 ? { ...r, observed: 5 } : r));
    expect(anomalyCheck({ ...i, daily: outage }, T)).toMatchObject({ status: 'warn', value: '1 day(s)' });
    expect(anomalyCheck({ ...i, daily: outage }, T).detail).toContain('new users on 2026-01-11: 10');
    const broken = i.metricDays.map((d) => (d.dayIndex === 9 && d.variant === 'treatment' ? { ...d, sum: 0, sumSquares: 0 } : d));
    expect(anomalyCheck({ ...i, metricDays: broken }, T).detail).toContain('conversion treatment vs control on 2026-01-14');
    const trend = i.metricDays.map((d) => ({ ...d, sum: d.sum * (1 + d.dayIndex), sumSquares: d.sumSquares * (1 + d.dayIndex) }));
    expect(anomalyCheck({ ...i, metricDays: trend }, T).status).toBe('ok');
    // the day of as-of is not over: not judged
    const today = i.daily.map((r) => (r.dayIndex === 13 ? { ...r, observed: 1 } : r));
    expect(anomalyCheck({ ...i, daily: today, asOf: new Date('2026-01-18T06:00:00Z') }, T).status).toBe('ok');
  });

  it('users in several arms above the threshold are critical', () => {
    const c = multipleExposureCheck(healthy({ multiVariant: { observed: 0.02, threshold: 0.001, details: '56 of 2800 users were served more than one variant' } }), T);
    expect(c).toMatchObject({ status: 'critical', value: '2.00% in several arms' });
    expect(c.detail).toContain('10.0% of users were exposed more than once to the same variant');
  });

  it('an experiment never built is critical with one check', () => {
    const h = assessExperiment(healthy({ built: false }), { name: null, lifecycle: 'running' });
    expect(h.checks.map((c) => c.check)).toEqual(['data']);
    expect(h).toMatchObject({ status: 'critical', score: 60 });
  });

  it('robust z: median and scaled MAD; no spread, no verdict', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
    const z = robustZ([10, 11, 9, 10, 10, 50]);
    expect(z[5]).toBeGreaterThan(20);
    expect(Math.abs(z[0]!)).toBeLessThan(1);
    expect(robustZ([1, 1, 1, 1])).toEqual([null, null, null, null]);
    expect(robustZ([1, 1, 1, 1, 1, 1, 9])[6]).toBeCloseTo(8 / (1.2533 * 8 / 7), 10);
    expect(worst(['ok', 'unknown', 'warn'])).toBe('warn');
  });
});
