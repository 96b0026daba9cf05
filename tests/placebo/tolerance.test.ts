/**
 * The tolerance bands and the summary of replicates (pure). Reference values from scipy
 * 1.17: scipy.stats.binom (cdf/sf), scipy.stats.chi2.ppf, and the Wilson formula with
 * scipy.stats.norm.ppf.
 */
import { describe, expect, it } from 'vitest';
import { binomialBand, chiSquareQuantile, varianceBand, wilsonInterval } from '../../src/placebo/tolerance.ts';
import { summarise } from '../../src/placebo/summarise.ts';
import type { ReplicateOutcome } from '../../src/placebo/decision-input.ts';
import type { MetricPlan } from '../../src/analyses/lib/settings.ts';

describe('tolerance bands', () => {
  it('Wilson interval', () => {
    const [lo, hi] = wilsonInterval(5, 100, 0.95);
    expect(lo).toBeCloseTo(0.02154367915436798, 12);
    expect(hi).toBeCloseTo(0.11175046923191914, 12);
    const [lo99, hi99] = wilsonInterval(9, 200, 0.99);
    expect(lo99).toBeCloseTo(0.019693056890031937, 12);
    expect(hi99).toBeCloseTo(0.09952638283794026, 12);
    expect(wilsonInterval(0, 100)[0]).toBe(0);
    expect(wilsonInterval(0, 100)[1]).toBeCloseTo(0.03699349820698568, 12);
  });

  it.each([
    [100, 0.05, [0, 11]],
    [200, 0.05, [3, 19]],
    [2000, 0.05, [76, 126]],
    [100, 0.5, [37, 63]],
  ] as const)('binomial 99%% band of Binomial(%i, %f)', (n, p, band) => {
    expect(binomialBand(n, p, 0.99)).toEqual(band);
  });

  it('chi-square quantiles and the band of a N(0, 1) sample variance', () => {
    expect(chiSquareQuantile(0.3, 7.5)).toBeCloseTo(5.09801703211678, 9);
    const [lo, hi] = varianceBand(100, 0.99);
    expect(lo).toBeCloseTo(0.6718192454720946, 9);
    expect(hi).toBeCloseTo(1.4039069035448437, 9);
    const [lo2, hi2] = varianceBand(2000, 0.99);
    expect(lo2).toBeCloseTo(0.9204046148391029, 9);
    expect(hi2).toBeCloseTo(1.0833534603567876, 9);
  });
});

describe('summarise', () => {
  const plan = (name: string, role: MetricPlan['role']): MetricPlan =>
    ({ name, type: 'binomial', role, direction: 'increase', margin: null, noninferiority: false, estimator: 'raw' }) as MetricPlan;
  const plans = [plan('conversion', 'primary'), plan('bounce_rate', 'guardrail')];
  /** replicate i: conversion significant when i < positives; z alternating ±zAbs */
  const outcomes = (k: number, positives: number, zAbs: number): ReplicateOutcome[] =>
    Array.from({ length: k }, (_, i) => ({
      rows: [
        { metric: 'conversion', variant: 'treatment', status: 'ok', significant: i < positives, statistic: i % 2 ? zAbs : -zAbs },
        { metric: 'bounce_rate', variant: 'treatment', status: i === 0 ? 'not-estimable' : 'ok', significant: false, statistic: i % 2 ? 1 : -1 },
      ],
      decision: i < positives ? 'ship' : 'no-detectable-effect',
    }));

  it('rates, intervals, bands and decision rates that sum to 1', () => {
    const s = summarise(plans, outcomes(100, 5, 1), 0.05);
    const [conversion, bounce] = s.metrics;
    expect(conversion).toMatchObject({ replicates: 100, not_estimable: 0, false_positives: 5, false_positive_rate: 0.05, false_positive_band: [0, 0.11], ok: true });
    expect(conversion!.z_mean).toBeCloseTo(0, 12);
    expect(conversion!.z_variance).toBeCloseTo(100 / 99, 12);
    expect(bounce).toMatchObject({ replicates: 99, not_estimable: 1, false_positives: 0, ok: true });
    expect(s.decisions.map((d) => d.decision)).toEqual(['ship', 'dont-ship', 'keep-running', 'no-detectable-effect', 'investigate']);
    expect(s.decisions.reduce((a, d) => a + d.rate, 0)).toBeCloseTo(1, 12);
    expect(s.decisions.find((d) => d.decision === 'ship')!.count).toBe(5);
    expect(s.failures).toEqual([]);
  });

  it('names every rate outside its band', () => {
    const s = summarise(plans, outcomes(100, 30, 2), 0.05);
    expect(s.metrics[0]!.ok).toBe(false);
    expect(s.failures).toEqual([
      'conversion: false-positive rate 0.300 (30/100) is outside [0.000, 0.110], the 99% band around alpha 0.05',
      'conversion: z variance 4.040 is outside [0.672, 1.404], the 99% band of a N(0, 1) sample',
    ]);
  });
});
