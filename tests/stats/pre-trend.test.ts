import { describe, expect, it } from 'vitest';
import { preTrendTest, type PreTrendDay } from '../../src/stats/pre-trend.ts';
import { expectClose, expectIntervalClose, expectRateNear, loadFixture, ok, seededRng } from './helpers.ts';

interface Case {
  readonly name: string;
  readonly days: readonly PreTrendDay[];
  readonly expected: {
    readonly slope: { readonly estimate: number; readonly se: number; readonly pValue: number; readonly ci: readonly [number, number] };
    readonly joint: { readonly chi2: number; readonly df: number; readonly pValue: number };
  };
}

const fixture = loadFixture<Case>('pre_trend.json');

describe('preTrendTest golden values (statsmodels WLS, scipy chi2)', () => {
  it.each(fixture.cases.map((c) => [c.name, c] as const))('%s', (name, c) => {
    const r = ok(preTrendTest(c.days));
    expectClose(r.slope.estimate, c.expected.slope.estimate, 1e-9, `${name} slope`);
    expectClose(r.slope.se, c.expected.slope.se, 1e-9, `${name} slope se`);
    expectClose(r.slope.pValue, c.expected.slope.pValue, 1e-6, `${name} slope p`);
    expectIntervalClose(r.slope.ci, c.expected.slope.ci, 1e-6, `${name} slope ci`);
    expectClose(r.joint.chi2, c.expected.joint.chi2, 1e-12, `${name} chi2`);
    expect(r.joint.df).toBe(c.expected.joint.df);
    expectClose(r.joint.pValue, c.expected.joint.pValue, 1e-9, `${name} joint p`);
    expect(r.days).toBe(c.days.length);
  });
});

describe('preTrendTest calibration (seeded simulation)', () => {
  it('both tests reject at rate alpha when the pre-period deltas are pure noise', () => {
    const rng = seededRng(71);
    const sims = 4000;
    let slope = 0;
    let joint = 0;
    for (let s = 0; s < sims; s++) {
      const days = Array.from({ length: 7 }, (_, i) => {
        const se = 0.05 + 0.1 * rng.uniform();
        return { day: i - 7, delta: se * rng.normal(), se };
      });
      const r = ok(preTrendTest(days));
      if (r.slope.pValue < 0.05) slope++;
      if (r.joint.pValue < 0.05) joint++;
    }
    expectRateNear(slope, sims, 0.05, 'slope test');
    expectRateNear(joint, sims, 0.05, 'joint test');
  });
});

describe('preTrendTest degenerate inputs', () => {
  const days = [
    { day: -3, delta: 0.1, se: 0.05 },
    { day: -2, delta: 0.0, se: 0.05 },
    { day: -1, delta: -0.05, se: 0.06 },
  ];

  it('fewer days than minDays (default 3) is INSUFFICIENT_DATA', () => {
    expect(preTrendTest(days.slice(0, 2))).toMatchObject({ status: 'not-estimable', reason: 'INSUFFICIENT_DATA' });
    expect(preTrendTest([])).toMatchObject({ reason: 'INSUFFICIENT_DATA' });
    expect(preTrendTest(days, { minDays: 4 })).toMatchObject({ reason: 'INSUFFICIENT_DATA' });
    expect(preTrendTest(days.slice(0, 2), { minDays: 2 }).status).toBe('ok');
  });

  it('a day with se = 0 is ZERO_VARIANCE', () => {
    expect(preTrendTest([...days.slice(0, 2), { day: -1, delta: 0, se: 0 }])).toMatchObject({ reason: 'ZERO_VARIANCE' });
  });

  it('rejects non-negative, fractional or repeated days and minDays < 2', () => {
    expect(() => preTrendTest([...days, { day: 0, delta: 0, se: 1 }])).toThrow(RangeError);
    expect(() => preTrendTest([...days, { day: -1.5, delta: 0, se: 1 }])).toThrow(RangeError);
    expect(() => preTrendTest([...days, { day: -3, delta: 0, se: 1 }])).toThrow(/twice/);
    expect(() => preTrendTest(days, { minDays: 1 })).toThrow(RangeError);
  });
});
