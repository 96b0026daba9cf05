/** Health checks on constructed inputs (pure): each check's verdict, the score, robust z. */
import { describe, expect, it } from 'vitest';
import { asOfView, completeDays } from '../../src/health/as-of.ts';
import { assessExperiment, worst } from '../../src/health/assess.ts';
import { anomalyCheck, freshnessCheck, multipleExposureCheck, paceCheck, splitCheck, srmCheck, srmDailyCheck } from '../../src/health/checks.ts';
import type { HealthInputs, MetricDay } from '../../src/health/inputs.ts';
import { median, robustZ } from '../../src/health/robust.ts';
import { defaultHealthThresholds as T } from '../../src/health/types.ts';
import { experiment } from '../report/support/inputs.ts';

/** 14 complete days of 200 new users a day split 50/50 (or `perDay` per arm and day), conversion 10% in both arms. */
function healthy(over: Partial<HealthInputs> = {}, perDay: (day: number, variant: string) => number = () => 100): HealthInputs {
  const daily = Array.from({ length: 14 }, (_, d) => ['control', 'treatment'].map((variant) => ({ variant, expectedShare: 0.5, observed: perDay(d, variant), dayIndex: d, day: `2026-01-${String(5 + d).padStart(2, '0')}` }))).flat();
  const total = (variant: string) => daily.filter((r) => r.variant === variant).reduce((s, r) => s + r.observed, 0);
  const metricDays: MetricDay[] = daily.map((r) => ({ metric: 'conversion', variant: r.variant, dayIndex: r.dayIndex, day: r.day, n: 100 * (r.dayIndex + 1), sum: 10 * (r.dayIndex + 1) + (r.dayIndex % 3), sumSquares: 10 * (r.dayIndex + 1) + (r.dayIndex % 3) }));
  return {
    experiment: experiment({ sequential: { looks: 4, spending: 'obrien_fleming', alpha: 0.05, target_n_per_arm: 1400 } }),
    asOf: new Date('2026-01-19T00:00:00Z'),
    built: true,
    overall: [{ variant: 'control', expectedShare: 0.5, observed: total('control') }, { variant: 'treatment', expectedShare: 0.5, observed: total('treatment') }],
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
    expect(srmCheck(i, T).detail).toContain('threshold 0.001, the SRM plugin\'s and the decision\'s test');
    expect(splitCheck(i, T)).toMatchObject({ status: 'warn', value: '44.6% / 55.4%' });
  });

  it('overall and daily SRM are one test: a mismatch overall is never "every day matches"', () => {
    // 16 of 200 new users a day shifted to treatment: no single day breaks the split at 0.001 on its own, the whole window does
    const skewed = healthy({}, (_, v) => (v === 'control' ? 92 : 108));
    const own = srmDailyCheck(skewed, T);
    expect(srmCheck(skewed, T).status).toBe('critical');
    expect(own.status).toBe('warn');
    expect(own.detail).toMatch(/^the split has been off since 2026-01-\d\d/);
    expect(own.detail).toContain('the last day is the overall srm check');
    expect(own.detail).not.toContain('every day');
    // the last day of the daily check is the overall test, at the same threshold
    const lastDay = own.detail.match(/2026-01-18 \(p = ([^)]+)\)/);
    if (lastDay) expect(srmCheck(skewed, T).value).toBe(`p = ${lastDay[1]}`);
    const h = assessExperiment(skewed, { name: null, lifecycle: 'running' });
    expect(h.checks.filter((c) => c.check.startsWith('srm')).map((c) => c.status)).toEqual(['critical', 'warn']);
    expect(h.status).toBe('critical');
  });

  it('the experiment\'s decision.srm_threshold is the SRM threshold', () => {
    const i = healthy({ overall: [{ variant: 'control', expectedShare: 0.5, observed: 1340 }, { variant: 'treatment', expectedShare: 0.5, observed: 1460 }] });
    expect(srmCheck(i, T).status).toBe('ok'); // p ≈ 0.024
    expect(srmCheck({ ...i, experiment: experiment({ decision: { srm_threshold: 0.05, min_sample_per_arm: 100, power: 0.8 } }) }, T).status).toBe('critical');
  });

  it('daily SRM: a day that broke the split, and its recovery, on the cumulative counts', () => {
    const i = healthy();
    const daily = i.daily.map((r) => (r.dayIndex === 3 ? { ...r, observed: r.variant === 'control' ? 40 : 160 } : r));
    const c = srmDailyCheck({ ...i, daily }, T);
    // days 3-5 (cumulative to 800, 1,000 and 1,200 users) are off; by day 6 the split is back within the threshold
    expect(c).toMatchObject({ status: 'warn', value: '3 of 14 days' });
    expect(c.detail).toMatch(/^the split was off on 3 day\(s\) and recovered: 2026-01-08 \(p = /);
    expect(c.detail).toContain('the day whose new users depart most: 2026-01-08');
    expect(srmDailyCheck(i, T)).toMatchObject({ status: 'ok', value: '0 of 14 days' });
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

  it('pace: the smallest arm against the plan pro rata; no target, nothing to pace', () => {
    const mid = healthy({ asOf: new Date('2026-01-12T00:00:00Z'), overall: [{ variant: 'control', expectedShare: 0.5, observed: 400 }, { variant: 'treatment', expectedShare: 0.5, observed: 420 }] });
    expect(paceCheck(mid, T)).toMatchObject({ status: 'warn', value: '57% of pace' });
    expect(paceCheck(mid, T).detail).toContain('projected 800 of 1,400 per arm');
    expect(paceCheck(mid, T).detail).toContain('(7 of 14 days over)');
    expect(paceCheck({ ...mid, experiment: experiment({ sequential: undefined }) }, T)).toMatchObject({ status: 'ok', value: 'no target' });
  });

  it('pace once the window is over: a missed plan warns however close (85% is not "ok")', () => {
    const ended = healthy({}, () => 85); // 1,190 of 1,400 per arm
    expect(paceCheck(ended, T)).toMatchObject({ status: 'warn', value: '85% of target', deduction: 10 });
    expect(paceCheck(ended, T).detail).toContain('missed by 210 users');
    expect(paceCheck(healthy(), T)).toMatchObject({ status: 'ok', value: 'target reached' });
    // design.n_per_arm is the plan when given
    const planned = { ...ended, experiment: experiment({ sequential: { looks: 4, spending: 'obrien_fleming', alpha: 0.05, target_n_per_arm: 1400 }, design: { n_per_arm: 1000 } }) };
    expect(paceCheck(planned, T)).toMatchObject({ status: 'ok', value: 'target reached' });
  });

  it('--as-of applies to every check: counts, SRM, pace and anomalies see only the days complete by then', () => {
    // days 8-13 broke the split badly; as of day 8 none of that had happened
    const later = healthy({}, (d, v) => (d >= 8 ? (v === 'control' ? 30 : 170) : 100));
    expect(assessExperiment(later, { name: null, lifecycle: 'running' }).status).toBe('critical');
    const early = { ...later, asOf: new Date('2026-01-13T06:00:00Z') };
    expect(completeDays(early)).toBe(8);
    const view = asOfView(early);
    expect(view.overall.map((c) => c.observed)).toEqual([800, 800]);
    expect(view.daily.every((d) => d.dayIndex < 8)).toBe(true);
    expect(view.metricDays.every((d) => d.dayIndex < 8)).toBe(true);
    const h = assessExperiment(early, { name: null, lifecycle: 'running' });
    const by = new Map(h.checks.map((c) => [c.check, c]));
    expect(by.get('data')!.value).toBe('1,600 users');
    expect(by.get('srm')!.status).toBe('ok');
    expect(by.get('srm_daily')).toMatchObject({ status: 'ok', value: '0 of 8 days' });
    expect(by.get('split')!.value).toBe('50.0% / 50.0%');
    expect(by.get('pace')).toMatchObject({ status: 'ok', value: '100% of pace' });
    // an event after as-of means logging ran through as-of: fresh
    expect(asOfView({ ...early, newestEvent: '2026-01-18T23:50:00.000Z' }).newestEvent).toBe('2026-01-13T06:00:00.000Z');
    // after the end, nothing is cut
    expect(asOfView(later)).toEqual(later);
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
    expect(c.detail).toContain('56 of 2,800 users were served more than one variant, threshold 0.10%');
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
