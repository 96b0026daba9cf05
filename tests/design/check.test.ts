/**
 * The design check, pure: which metrics it checks, at which alpha, with which baseline and
 * variance factor; the verdicts; and the report's words (table, warnings, notes).
 */
import { describe, expect, it } from 'vitest';
import type { OverallAggregate } from '../../src/analyses/model-rows.ts';
import { checkDesign, designPlan, primaryAlpha } from '../../src/design/check.ts';
import { about, designNotes, designWarnings, formatDesignCheck, powerPct, signedPct } from '../../src/design/format.ts';
import { powerNonInferiority, powerProportions, sampleSizeNonInferiority } from '../../src/design/power-at-n.ts';
import { sampleSizeProportions } from '../../src/stats/index.ts';
import { expectClose, ok } from '../stats/helpers.ts';
import { experiment, METRICS } from './helpers.ts';

/** A binomial metric's row with rate p in the post window and pre-period rate q, independent (ρ = 0 up to rounding). */
function binomialRow(variant: string, metric: string, n: number, p: number, q = p): OverallAggregate {
  const sum = Math.round(n * p);
  const pre = Math.round(n * q);
  return {
    variant, metric, metric_type: 'binomial', n, sum, sum_squares: sum, pre_sum: pre, pre_sum_squares: pre, sum_pre_product: Math.round(sum * pre / n),
    denominator_sum: null, denominator_sum_squares: null, numerator_denominator_sum: null,
  };
}

const rows = (pConversion: number, pBounce: number, variants = ['control', 'treatment']): OverallAggregate[] =>
  variants.flatMap((v) => [binomialRow(v, 'conversion', 10_000, pConversion), binomialRow(v, 'bounce_rate', 10_000, pBounce)]);

const base = { guardrails: ['bounce_rate', 'errors'], variance_reduction: 'none' };

describe('designPlan', () => {
  it('takes n_per_arm from design, else from the sequential plan; overrides win', () => {
    expect(designPlan(experiment('e', { design: { n_per_arm: 9000, mde: 0.05 }, sequential: { looks: 3, target_n_per_arm: 15000 } })))
      .toEqual({ nPerArm: 9000, nSource: 'design.n_per_arm', mde: 0.05, power: 0.8 });
    expect(designPlan(experiment('e', { sequential: { looks: 3, target_n_per_arm: 15000 }, decision: { power: 0.9 } })))
      .toEqual({ nPerArm: 15000, nSource: 'sequential.target_n_per_arm', mde: null, power: 0.9 });
    expect(designPlan(experiment('e', {}))).toEqual({ nPerArm: null, nSource: null, mde: null, power: 0.8 });
    expect(designPlan(experiment('e', { design: { n_per_arm: 9000 } }), { nPerArm: 100, mde: 0.1 })).toMatchObject({ nPerArm: 100, nSource: 'override', mde: 0.1 });
  });

  it('tests the primary at alpha over the treatments, as the analyses do', () => {
    const abn = { variants: { control: 0.34, a: 0.33, b: 0.33 } };
    expect(primaryAlpha(experiment('e', {}))).toBe(0.05);
    expect(primaryAlpha(experiment('e', abn))).toBe(0.025);
    expect(primaryAlpha(experiment('e', { ...abn, correction: 'none' }))).toBe(0.05);
    expect(primaryAlpha(experiment('e', { ...abn, correction: 'none', sequential: { looks: 2, alpha: 0.1, target_n_per_arm: 10 } }))).toBe(0.05);
  });
});

describe('checkDesign', () => {
  it('checks the primary and the non-inferiority guardrails only, with the stats functions\' numbers', () => {
    const e = experiment('exp_x', { ...base, design: { n_per_arm: 15_000, mde: 0.05 } });
    const c = checkDesign(e, METRICS, rows(0.1, 0.3));
    expect(c.rows.map((r) => [r.metric, r.role, r.test, r.sided, r.alpha, r.effect])).toEqual([
      ['conversion', 'primary', 'superiority', 2, 0.05, 0.05],
      ['bounce_rate', 'guardrail', 'non-inferiority', 1, 0.05, 0.05], // harm is an increase: +5%
    ]);
    const [primary, ni] = c.rows;
    expect(primary!.baseline).toMatchObject({ source: 'control', mean: 0.1, n: 10_000 });
    expectClose(primary!.power, ok(powerProportions({ baseline: 0.1, effect: 0.005, controlN: 15_000 })).power, 1e-12, 'primary power');
    expect(primary!.neededNPerArm).toBe(ok(sampleSizeProportions({ baseline: 0.1, effect: 0.05, effectType: 'relative' })).control);
    expect(primary!.verdict).toBe('underpowered');
    const sd = Math.sqrt(0.3 * 0.7);
    expectClose(ni!.power, ok(powerNonInferiority({ mean: 0.3, sd, margin: 0.05, nPerArm: 15_000 }, { alpha: 0.05 })).power, 1e-12, 'ni power');
    expect(ni!.neededNPerArm).toBe(ok(sampleSizeNonInferiority({ mean: 0.3, sd, margin: 0.05 }, { alpha: 0.05, power: 0.8 })).control);
    // (1.6449 + 0.8416)² · 2 · 0.21 / 0.015² = 11,541 users per arm: 15,000 is enough
    expect(ni!.neededNPerArm).toBe(11_541);
    expect(ni!.verdict).toBe('ok');
    expect(c.passed).toBe(false);
  });

  it('passes when every checked test reaches the power', () => {
    const c = checkDesign(experiment('e', { ...base, design: { n_per_arm: 70_000, mde: 0.05 } }), METRICS, rows(0.1, 0.3));
    expect(c.rows.map((r) => r.verdict)).toEqual(['ok', 'ok']);
    expect(c.passed).toBe(true);
    expect(designWarnings(c)).toEqual([]);
  });

  it('powers a decrease-is-good primary for a decrease', () => {
    const c = checkDesign(experiment('e', { ...base, primary_metric: 'bounce_rate', guardrails: [], design: { n_per_arm: 1000, mde: 0.1 } }), METRICS, rows(0.1, 0.3));
    expect(c.rows[0]!.effect).toBe(-0.1);
    expectClose(c.rows[0]!.power, ok(powerProportions({ baseline: 0.3, effect: -0.03, controlN: 1000 })).power, 1e-12, 'power');
  });

  it('prefers the pre-period and applies CUPED\'s 1 − ρ² when CUPED is the estimator', () => {
    // pre-period rate 0.2 in both arms; post rate 0.1
    const data = ['control', 'treatment'].flatMap((v) => [binomialRow(v, 'conversion', 10_000, 0.1, 0.2)])
      .map((r) => ({ ...r, sum_pre_product: 600 })); // strong positive correlation
    const e = experiment('e', { pre_period_days: 14, design: { n_per_arm: 5000, mde: 0.1 } });
    const [r] = checkDesign(e, METRICS, data).rows;
    expect(r!.estimator).toBe('cuped');
    expect(r!.baseline).toMatchObject({ source: 'pre-period', mean: 0.2, n: 20_000 });
    const rho = r!.baseline!.correlation!;
    expect(rho).toBeGreaterThan(0.3);
    expectClose(r!.varianceFactor, 1 - rho * rho, 1e-12, 'factor');
    expectClose(r!.power, ok(powerProportions({ baseline: 0.2, effect: 0.02, controlN: 5000, varianceFactor: 1 - rho * rho })).power, 1e-12, 'power');
    const raw = ok(sampleSizeProportions({ baseline: 0.2, effect: 0.1, effectType: 'relative' })).exact.control;
    expect(r!.neededNPerArm).toBe(Math.ceil(raw * (1 - rho * rho) - 1e-9));
    expect(designNotes(checkDesign(e, METRICS, data)).some((n) => n.startsWith(`conversion: CUPED is the pre-registered estimator: variance × (1 − ρ²) = ${(1 - rho * rho).toFixed(3)} with ρ = ${rho.toFixed(3)}`))).toBe(true);
  });

  it('does not check what it cannot, and says what to add', () => {
    const none = checkDesign(experiment('exp_none', base), METRICS, rows(0.1, 0.3));
    expect(none.rows.map((r) => [r.metric, r.verdict, r.reason])).toEqual([['conversion', 'unchecked', 'NO_MDE'], ['bounce_rate', 'unchecked', 'NO_PLANNED_SAMPLE']]);
    expect(none.rows[1]!.neededNPerArm).toBe(11_541); // still shown
    expect(designNotes(none).slice(0, 2)).toEqual([
      'no planned sample: add `design: { n_per_arm: <users per arm> }` to exp_none (or a sequential plan\'s target_n_per_arm) to get the power; the needed sample is shown',
      'no minimum effect of interest for the primary: add `design: { mde: <relative effect, e.g. 0.05> }` to exp_none to check its power',
    ]);
    const unbuilt = checkDesign(experiment('exp_new', { ...base, design: { n_per_arm: 100, mde: 0.05 } }), METRICS, null);
    expect(unbuilt.rows.map((r) => r.reason)).toEqual(['NOT_BUILT', 'NOT_BUILT']);
    expect(designNotes(unbuilt)[0]).toBe('exp_new has no built aggregates to take baselines from: build once (`xp build --select exp_new`) or pass baselines to xp power (`xp power --metric <name> --baseline <x> --n <users>`)');
    expect(unbuilt.passed).toBe(false);
  });

  it('a rate the mde pushes past 1 is not checked, with the reason', () => {
    const [r] = checkDesign(experiment('e', { design: { n_per_arm: 100, mde: 0.5 } }), METRICS, rows(0.8, 0.3)).rows;
    expect(r).toMatchObject({ verdict: 'unchecked', reason: 'NOT_ESTIMABLE' });
    expect(r!.detail).toMatch(/not a rate in \(0, 1\)/);
  });
});

describe('the report', () => {
  it('formats numbers as people read them', () => {
    expect([signedPct(0.05), signedPct(-0.005), signedPct(0.125)]).toEqual(['+5%', '−0.5%', '+12.5%']);
    expect([powerPct(0.7996), powerPct(0.8), powerPct(0.004)]).toEqual(['79%', '80%', '<1%']);
    expect([about(40_123), about(11_543), about(987), about(42)]).toEqual(['41,000', '12,000', '990', '42']);
  });

  it('prints a table, a plain warning per underpowered test and the notes', () => {
    const c = checkDesign(experiment('exp_x', { ...base, design: { n_per_arm: 15_000, mde: 0.05 } }), { ...METRICS, bounce_rate: { ...METRICS['bounce_rate']!, margin: 0.02 } as typeof METRICS['bounce_rate'] }, rows(0.1, 0.3));
    const text = formatDesignCheck(c);
    const lines = text.split('\n');
    expect(lines[0]).toBe('design check of exp_x: power target 80%, 15,000 users per arm (design.n_per_arm), primary mde +5%');
    expect(lines[1]!.split(/\s{2,}/)).toEqual(['metric', 'role', 'test', 'baseline', 'planned n/arm', 'power', 'needed n/arm', 'verdict']);
    expect(lines[3]).toMatch(/^conversion\s+primary\s+\+5% two-sided, α 0\.05\s+10% \(control\)\s+15,000\s+\d+%\s+[\d,]+\s+underpowered$/);
    expect(lines[4]).toMatch(/^bounce_rate\s+guardrail\s+non-inferiority at \+2%, α 0\.05\s+30% \(control\)\s+15,000\s+30%\s+72,130\s+underpowered$/);
    expect(designWarnings(c)[1]).toBe('bounce_rate (guardrail, non-inferiority at +2%): 30% power with 15,000 users per arm; about 73,000 per arm needed');
    expect(lines).toContain(`warning: ${designWarnings(c)[0]}`);
  });
});
