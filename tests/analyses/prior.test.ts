/**
 * Informative priors: a metric's `prior: { mean, sd }` on the relative effect shrinks the
 * Bayesian read-out of analysis_results, checked against gbstats' EffectBayesianABTest with a
 * proper prior (tests/fixtures/stats/make_gbstats_fixtures.py), while the frequentist columns
 * and metrics without a prior are untouched.
 */
import { describe, expect, it } from 'vitest';
import { abRows } from '../../src/analyses/lib/ab-rows.ts';
import type { OverallAggregate } from '../../src/analyses/lib/aggregates.ts';
import type { MetricPlan } from '../../src/analyses/lib/settings.ts';
import { defaultDecisionConfig } from '../../src/project/config-schema.ts';
import { expectClose, loadFixture } from '../stats/helpers.ts';

interface Case {
  readonly name: string;
  readonly type: 'mean' | 'binomial';
  readonly direction: 'increase' | 'decrease';
  readonly prior: { readonly mean: number; readonly sd: number };
  readonly aggregates: readonly OverallAggregate[];
  readonly expected: { readonly likelihood: number; readonly posterior: number; readonly sd: number; readonly chance: number; readonly credible: readonly [number, number] };
  readonly tolerance: number;
}

const fixture = loadFixture<Case>('gbstats_prior.json');

const plan = (c: Case, prior: MetricPlan['prior']): MetricPlan => ({
  name: 'm', type: c.type, role: 'secondary', direction: c.direction, margin: null, noninferiority: false, estimator: 'raw', prior,
});
const run = (c: Case, prior: MetricPlan['prior']) => abRows({
  experiment: { control: 'control', treatments: ['treatment'], alpha: 0.05, correction: 'holm' },
  plans: [plan(c, prior)], aggregates: c.aggregates, decision: defaultDecisionConfig,
})[0]!;

describe('a normal prior on the relative effect (gbstats EffectBayesianABTest, proper prior)', () => {
  it.each(fixture.cases.map((c) => [c.name, c] as const))('%s', (name, c) => {
    const r = run(c, c.prior);
    const tol = c.tolerance;
    expectClose(r.likelihood_lift as number, c.expected.likelihood, tol, `${name} likelihood`);
    expectClose(r.posterior_lift as number, c.expected.posterior, tol, `${name} posterior`);
    expectClose(r.chance_to_beat_control as number, c.expected.chance, tol, `${name} chance`);
    expectClose(r.credible_lower as number, c.expected.credible[0], tol, `${name} lower`);
    expectClose(r.credible_upper as number, c.expected.credible[1], tol, `${name} upper`);
    expect(r.prior_mean).toBe(c.prior.mean);
    expect(r.prior_sd).toBe(c.prior.sd);
  });

  it('shrinks toward the prior mean and leaves the frequentist columns as they are', () => {
    for (const c of fixture.cases) {
      const flat = run(c, null);
      const informed = run(c, c.prior);
      expect(Math.abs((informed.posterior_lift as number) - c.prior.mean)).toBeLessThan(Math.abs((flat.relative_lift as number) - c.prior.mean));
      expect(informed.credible_upper! - informed.credible_lower!).toBeLessThan(flat.credible_upper! - flat.credible_lower!);
      for (const k of ['relative_lift', 'relative_ci_lower', 'p_value', 'significant', 'outcome'] as const) expect(informed[k]).toBe(flat[k]);
      expect(flat.prior_mean).toBeUndefined();
      expect(flat.posterior_lift).toBeUndefined();
    }
  });
});
