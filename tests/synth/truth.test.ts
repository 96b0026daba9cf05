/**
 * plantedTruth (src/synth/truth.ts): the configured lifts are the true lifts of the
 * estimands the platform reports, and the capped revenue truth matches an independent
 * quadrature in scipy.
 */
import { describe, expect, it } from 'vitest';
import { metricSchema } from '../../src/project/config-schema.ts';
import type { MetricConfig } from '../../src/project/types.ts';
import { plantedTruth, SHIPPED_TRUTH_METRICS, synthPlan, type MetricTruth, type PlantedTruth } from '../../src/synth/index.ts';
import { calibrationExperiment } from './support/replicates.ts';

const ok = (truth: PlantedTruth, metric: string): Extract<MetricTruth, { status: 'ok' }> => {
  const m = truth.metrics.find((x) => x.metric === metric);
  if (m?.status !== 'ok') throw new Error(`${metric}: ${JSON.stringify(m)}`);
  return m;
};
const close = (actual: number, expected: number, rel = 1e-12): void => {
  expect(Math.abs(actual - expected), `${actual} vs ${expected}`).toBeLessThanOrEqual(rel * Math.abs(expected));
};

describe('plantedTruth: the shipped metrics', () => {
  const synth = { seed: 1, n_users: 1000, base_conversion: 0.1, effect_lift_conversion: 0.282, revenue_mean: 10, revenue_sd: 2, effect_lift_revenue: 0.1, base_bounce: 0.3, effect_lift_bounce: -0.05 };
  const truth = plantedTruth(calibrationExperiment('exp_truth', synth));

  it('lists every shipped metric in order, control first, from an experiment or its plan alike', () => {
    expect(truth.metrics.map((m) => [m.metric, m.status])).toEqual([['conversion', 'ok'], ['revenue', 'ok'], ['revenue_per_order', 'ok'], ['bounce_rate', 'ok']]);
    expect(truth.control).toBe('control');
    expect(plantedTruth(synthPlan(calibrationExperiment('exp_truth', synth)))).toEqual(truth);
  });

  it('takes the project\'s metric definitions as they are, and the shipped ones by default', () => {
    const metrics: Record<string, MetricConfig> = Object.fromEntries(Object.entries(SHIPPED_TRUTH_METRICS).map(([name, m]) => [name, metricSchema.parse(m)]));
    expect(plantedTruth(calibrationExperiment('exp_truth', synth), metrics)).toEqual(truth);
  });

  it('conversion: exactly base_conversion in control and the configured lift in treatment, nothing capped', () => {
    const m = ok(truth, 'conversion');
    expect(m.control).toEqual({ variant: 'control', value: 0.1 });
    close(m.treatments[0]!.value, 0.1282);
    close(m.treatments[0]!.relativeLift!, 0.282);
    close(m.treatments[0]!.absoluteLift, 0.0282);
  });

  it('bounce rate: the configured base and lift', () => {
    const m = ok(truth, 'bounce_rate');
    expect(m.control.value).toBe(0.3);
    close(m.treatments[0]!.relativeLift!, -0.05);
  });

  it('revenue per user moves by effect_lift_revenue uncapped; order value carries what conversion does not', () => {
    const uncapped = plantedTruth(calibrationExperiment('exp_truth', synth), { revenue: { type: 'mean', event: 'purchase', value: 'value' } });
    const m = ok(uncapped, 'revenue');
    // 0.1 converters x 1.2 orders x 10
    close(m.control.value, 1.2);
    close(m.treatments[0]!.relativeLift!, 0.1);
    expect(m.cap).toBeUndefined();
    const aov = ok(truth, 'revenue_per_order');
    close(aov.control.value, 10);
    close(aov.treatments[0]!.relativeLift!, 1.1 / 1.282 - 1);
  });

  it('capped revenue: the pooled population cap and E[min(X, cap)] per arm, not the configured lift', () => {
    const m = ok(truth, 'revenue');
    expect(m.cap).toBeGreaterThan(10);
    expect(m.control.value).toBeLessThan(1.2);
    expect(m.treatments[0]!.relativeLift).not.toBeCloseTo(0.1, 3);
  });
});

describe('plantedTruth: capped revenue against scipy', () => {
  // Reference: scipy.integrate.quad of P(V1 + V2 <= x) = int f(v) F(x - v) dv and of
  // E[min(S, c)] = int_0^c (1 - F_S(y)) dy for lognormal order values, the pooled 0.99
  // quantile by brentq (tests/fixtures/synth/capped_revenue.py).
  it('two arms: the shipped checkout experiment (conversion +3%, revenue per user unchanged)', () => {
    const m = ok(plantedTruth(calibrationExperiment('exp_checkout', { seed: 51, n_users: 30000, base_conversion: 0.1, effect_lift_conversion: 0.03, revenue_mean: 12.5, revenue_sd: 3 })), 'revenue');
    close(m.cap!, 24.409437981311775, 1e-9);
    close(m.control.value, 1.4603707530622159, 1e-9);
    close(m.treatments[0]!.value, 1.467589093238781, 1e-9);
    // capping turns an unchanged revenue per user into +0.49%
    close(m.treatments[0]!.relativeLift!, 0.004942813433800319, 1e-6);
  });

  it('three arms with unequal shares: the shipped add-to-cart experiment (revenue +5%)', () => {
    const exp = calibrationExperiment('exp_add_cart', { seed: 202, n_users: 36000, base_conversion: 0.12, revenue_mean: 20, revenue_sd: 6, effect_lift_revenue: 0.05 }, { control: 0.34, widget_a: 0.33, widget_b: 0.33 });
    const m = ok(plantedTruth(exp), 'revenue');
    close(m.cap!, 42.65390317148693, 1e-9);
    close(m.control.value, 2.823886963517758, 1e-9);
    expect(m.treatments.map((t) => t.variant)).toEqual(['widget_a', 'widget_b']);
    for (const t of m.treatments) close(t.value, 2.944608388289493, 1e-9);
  });

  it('a cap at an atom of a discrete per-user value: the purchase count', () => {
    const exp = calibrationExperiment('exp_counts', { seed: 1, n_users: 1000, base_conversion: 0.1, effect_lift_conversion: 0.5 });
    const t = plantedTruth(exp, {
      orders: { type: 'mean', event: 'purchase' },
      orders_capped: { type: 'mean', event: 'purchase', cap_quantile: 0.95 },
    });
    close(ok(t, 'orders').control.value, 0.12);
    // pooled P(K = 0) = 0.875 and P(K <= 1) = 0.975 >= 0.95: the cap is 1, so the capped count is conversion
    const capped = ok(t, 'orders_capped');
    expect(capped.cap).toBe(1);
    close(capped.control.value, 0.1);
    close(capped.treatments[0]!.value, 0.15);
  });
});

describe('plantedTruth: other metrics, unknowns and caveats', () => {
  it('page views: the planned mean per user, no lift', () => {
    const exp = calibrationExperiment('exp_pv', { seed: 1, n_users: 1000, events_per_user: 6 });
    const t = plantedTruth(exp, { views: { type: 'mean', event: 'page_view' }, viewed: { type: 'binomial', event: 'page_view' } });
    close(ok(t, 'views').control.value, synthPlan(exp).pageViewsPost);
    expect(ok(t, 'views').treatments[0]!.relativeLift).toBe(0);
    const p = ok(t, 'viewed').control.value;
    expect(p).toBeGreaterThan(0.5);
    expect(p).toBeLessThan(1);
  });

  it('names what it cannot plant, and a relative lift over a zero control is null', () => {
    const exp = calibrationExperiment('exp_unknown', { seed: 1, n_users: 1000, base_conversion: 0 });
    const t = plantedTruth(exp, {
      signups: { type: 'binomial', event: 'signup' },
      bounce_value: { type: 'mean', event: 'bounce', value: 'value' },
      views_capped: { type: 'mean', event: 'page_view', cap_quantile: 0.99 },
      aov: { type: 'ratio', numerator: { event: 'purchase', value: 'value' }, denominator: { event: 'purchase' } },
      conversion: { type: 'binomial', event: 'purchase' },
    });
    expect(t.metrics.slice(0, 4)).toEqual([
      { status: 'not-planted', metric: 'signups', reason: 'UNKNOWN_EVENT' },
      { status: 'not-planted', metric: 'bounce_value', reason: 'NO_VALUE' },
      { status: 'not-planted', metric: 'views_capped', reason: 'UNSUPPORTED' },
      { status: 'not-planted', metric: 'aov', reason: 'ZERO_DENOMINATOR' },
    ]);
    expect(ok(t, 'conversion').treatments[0]).toEqual({ variant: 'treatment', value: 0, absoluteLift: 0, relativeLift: null });
  });

  it('lists the fault knobs that move measurements away from the truth, none for a clean block', () => {
    expect(plantedTruth(calibrationExperiment('exp_clean', { seed: 1, n_users: 100, srm_skew: 0.05, multi_variant_rate: 0.01 })).caveats).toEqual([]);
    const faulty = plantedTruth(calibrationExperiment('exp_faulty', { seed: 1, n_users: 100, duplicate_rate: 0.01, missing_key_rate: 0.01, late_event_rate: 0.01, pretrend_drift: 0.5, days: 20 }));
    expect(faulty.caveats.map((c) => c.knob)).toEqual(['duplicate_rate', 'missing_key_rate', 'late_event_rate', 'days', 'pretrend_drift']);
  });

  it('refuses a lift that would make a rate leave [0, 1] or revenue negative', () => {
    expect(() => plantedTruth(calibrationExperiment('exp_bad', { seed: 1, n_users: 100, base_conversion: 0.8, effect_lift_conversion: 0.5 }))).toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID', message: 'experiment exp_bad: synth base_conversion 0.8 × (1 + effect_lift_conversion 0.5) = 1.2000000000000002 is not a probability' }),
    );
    expect(() => synthPlan(calibrationExperiment('exp_bad', { seed: 1, n_users: 100, base_bounce: 0.6, effect_lift_bounce: 1 }))).toThrow(/base_bounce 0.6/);
    expect(() => synthPlan(calibrationExperiment('exp_bad', { seed: 1, n_users: 100, effect_lift_revenue: -1.5 }))).toThrow(/revenue per user negative/);
  });
});
