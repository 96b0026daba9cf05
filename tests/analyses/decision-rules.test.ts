/**
 * The decision rules on constructed inputs, one rule at a time, without DuckDB:
 * untrustworthy → harm → win → guardrail-inconclusive → keep running / no detectable
 * effect, per treatment for A/B/n. Each test breaks if its rule is broken.
 */
import { describe, expect, it } from 'vitest';
import { decide, type DecisionInput, type GuardrailResult, type PrimaryResult } from '../../src/analyses/lib/decision-rules.ts';
import { guardrailResult, primaryResult, sequentialState, withLookZ } from '../../src/analyses/lib/decision-inputs.ts';

const primary = (over: Partial<PrimaryResult> = {}): PrimaryResult => ({
  variant: 'treatment', status: 'ok', reason: null, absoluteLift: 0.002, relativeLift: 0.02, relativeCiLower: -0.01, relativeCiUpper: 0.05,
  pValueAdjusted: 0.3, outcome: 'inconclusive', mdeAbsolute: 0.005, mdeRelative: 0.05, ...over,
});
/** A guardrail (decrease metric) that is fine: not significantly worse, not opted in to non-inferiority. */
const guardrail = (over: Partial<GuardrailResult> = {}): GuardrailResult => ({
  metric: 'bounce_rate', variant: 'treatment', direction: 'decrease', status: 'ok', reason: null,
  relativeLift: -0.01, relativeCiLower: -0.04, relativeCiUpper: 0.02, statistic: -0.5, margin: 0.05,
  harm: false, harmBound: 0.025, noninferiority: false, noninferiorityBound: null, pass: null, niNPerArm: null, controlN: 5000, ...over,
});
/** A guardrail significantly worse: bounce rate up 8%. */
const harmed = (over: Partial<GuardrailResult> = {}): GuardrailResult => guardrail({
  relativeLift: 0.08, relativeCiLower: 0.03, relativeCiUpper: 0.13, statistic: 3.5, harm: true, harmBound: 0.02, ...over,
});
const better = primary({ relativeLift: 0.1, relativeCiLower: 0.05, relativeCiUpper: 0.15, absoluteLift: 0.01, pValueAdjusted: 1e-5, outcome: 'better' });
const worse = primary({ relativeLift: -0.1, relativeCiLower: -0.15, relativeCiUpper: -0.05, absoluteLift: -0.01, pValueAdjusted: 1e-5, outcome: 'worse' });

/** A clean two-arm experiment without a sequential plan, window over, nothing significant. */
function input(over: Partial<DecisionInput> = {}): DecisionInput {
  return {
    primaryMetric: 'conversion', direction: 'increase', alpha: 0.05, srmThreshold: 0.001, minSamplePerArm: 100,
    dqFailures: [], dqWarnings: [], srm: { status: 'ok', pValue: 0.4 },
    arms: [{ variant: 'control', n: 5000 }, { variant: 'treatment', n: 5000 }],
    primary: [primary()], guardrails: [guardrail()], sequential: null, windowComplete: true, ...over,
  };
}

/** Look 2 of 5 (interim) with the primary's and the guardrails' boundaries. */
const sequential = (over: Partial<NonNullable<DecisionInput['sequential']>> = {}, decision = 'continue', z = 1.2): NonNullable<DecisionInput['sequential']> => ({
  look: 2, plannedLooks: 5, informationFraction: 0.4, isFinal: false, boundary: 2.96, nextInformationFraction: 0.6, nextBoundary: 2.54, alphaSpent: 0.004,
  guardrailBoundary: 3.2, variants: [{ variant: 'treatment', decision, z, boundary: 2.96 }], ...over,
});
const interim = (decision = 'continue', z = 1.2, over: Partial<NonNullable<DecisionInput['sequential']>> = {}) =>
  ({ sequential: sequential(over, decision, z), windowComplete: false });
const finalLook = (decision = 'final-no-effect', z = 1.2, over: Partial<NonNullable<DecisionInput['sequential']>> = {}) =>
  ({ sequential: sequential({ look: 5, informationFraction: 1, isFinal: true, nextInformationFraction: null, nextBoundary: null, boundary: 2.04, ...over }, decision, z), windowComplete: true });

const codes = (o: ReturnType<typeof decide>): string[] => o.reasons.filter((r) => r.kind === 'blocking').map((r) => r.code);
const allCodes = (o: ReturnType<typeof decide>): string[] => o.reasons.map((r) => r.code);

describe('rule 1: untrustworthy → investigate', () => {
  it('a failed error-severity DQ check, even with a winning primary; the headline names the check', () => {
    const o = decide(input({ primary: [better], dqFailures: [{ check: 'multi_variant_users', details: '40 of 5000 users' }] }));
    expect(o).toMatchObject({ decision: 'investigate', rule: 'untrustworthy', bestTreatment: null, verdicts: [] });
    expect(codes(o)).toEqual(['DQ_FAILED']);
    expect(o.reasons[0]!.message).toBe('data-quality check multi_variant_users failed: 40 of 5000 users');
    expect(o.headline).toBe('Investigate: the results are not trustworthy (data-quality check multi_variant_users failed); no ship recommendation.');
  });

  it('SRM below the threshold; not at or above it', () => {
    const o = decide(input({ primary: [better], srm: { status: 'ok', pValue: 0.0009 } }));
    expect(o).toMatchObject({ decision: 'investigate', rule: 'untrustworthy', bestTreatment: null });
    expect(codes(o)).toEqual(['SRM']);
    expect(o.headline).toBe('Investigate: the results are not trustworthy (sample-ratio mismatch); no ship recommendation.');
    expect(decide(input({ primary: [better], srm: { status: 'ok', pValue: 0.001 } })).decision).toBe('ship');
    expect(decide(input({ srm: { status: 'ok', pValue: 0.004 }, srmThreshold: 0.005 })).decision).toBe('investigate');
  });

  it('every reason is listed: DQ failures and SRM together', () => {
    const o = decide(input({ srm: { status: 'ok', pValue: 1e-6 }, dqFailures: [{ check: 'duplicate_exposures', details: '3%' }] }));
    expect(codes(o)).toEqual(['DQ_FAILED', 'SRM']);
    expect(o.headline).toBe('Investigate: the results are not trustworthy (data-quality check duplicate_exposures failed; sample-ratio mismatch); no ship recommendation.');
  });

  it('trumps harm too: a harmed guardrail of untrustworthy data is investigated, not a dont-ship', () => {
    expect(decide(input({ guardrails: [harmed()], srm: { status: 'ok', pValue: 1e-9 } })).decision).toBe('investigate');
  });

  it('an SRM test that is not estimable (no users) is investigated too', () => {
    const o = decide(input({ srm: { status: 'not-estimable', pValue: null, detail: 'no units were observed' } }));
    expect(o.decision).toBe('investigate');
    expect(codes(o)).toEqual(['SRM_NOT_ESTIMABLE']);
  });

  it('DQ warnings are notes, not blockers', () => {
    const o = decide(input({ dqWarnings: [{ check: 'outcomes_duplicate_rows', details: '1%' }] }));
    expect(o.decision).toBe('no-detectable-effect');
    expect(o.reasons.find((r) => r.code === 'DQ_WARNING')?.kind).toBe('note');
  });
});

describe('rule 2: harm → dont-ship', () => {
  describe('a guardrail with a sequential plan: |z| at its harm boundary, in the harmful direction, at any look', () => {
    it('crossing at an interim look stops, even with the primary past its efficacy boundary', () => {
      const o = decide(input({ primary: [better], guardrails: [harmed({ statistic: 3.5, harm: false })], ...interim('stop-efficacy', 3.5) }));
      expect(o).toMatchObject({ decision: 'dont-ship', rule: 'harm', bestTreatment: null, isFinal: false });
      expect(codes(o)).toEqual(['GUARDRAIL_HARM']);
      expect(o.reasons[0]).toMatchObject({ variant: 'treatment', metric: 'bounce_rate' });
      expect(o.headline).toBe("Don't ship treatment: bounce rate is significantly worse (+8.0%, 95% CI +3.0% to +13.0%).");
    });

    it('|z| equal to the boundary is harm; just below it is not, even when the fixed test rejected', () => {
      expect(decide(input({ guardrails: [harmed({ statistic: 3.2 })], ...interim() })).decision).toBe('dont-ship');
      const below = decide(input({ guardrails: [harmed({ statistic: 3.19, harm: true })], ...interim() }));
      expect(below.decision).toBe('keep-running');
      expect(allCodes(below)).not.toContain('GUARDRAIL_HARM');
    });

    it('only in the harmful direction: a decrease metric harms upwards, an increase metric downwards', () => {
      expect(decide(input({ guardrails: [harmed({ statistic: -4 })], ...interim() })).decision).toBe('keep-running');
      expect(decide(input({ guardrails: [harmed({ direction: 'increase', statistic: 4 })], ...interim() })).decision).toBe('keep-running');
      expect(decide(input({ guardrails: [harmed({ direction: 'increase', statistic: -4 })], ...interim() })).decision).toBe('dont-ship');
    });

    it('at the final look by the boundary too, never by the fixed-horizon flag', () => {
      expect(decide(input({ guardrails: [harmed({ statistic: 3.5, harm: false })], ...finalLook() })).decision).toBe('dont-ship');
      const flagOnly = decide(input({ guardrails: [harmed({ statistic: 3.0, harm: true })], ...finalLook() }));
      expect(flagOnly.decision).toBe('no-detectable-effect');
    });

    it('no harm boundary at this look (it spends nothing): no guardrail can stop', () => {
      expect(decide(input({ guardrails: [harmed({ statistic: 9 })], ...interim('continue', 1.2, { guardrailBoundary: null }) })).decision).toBe('keep-running');
    });
  });

  describe('a guardrail without a plan: the fixed one-sided harm test, at the final look only', () => {
    it('harm === true at the end of the window', () => {
      const o = decide(input({ primary: [better], guardrails: [harmed()] }));
      expect(o).toMatchObject({ decision: 'dont-ship', rule: 'harm', isFinal: true });
      expect(codes(o)).toEqual(['GUARDRAIL_HARM']);
    });

    it('not before the end of the window (no peeking), and not from a large z without the test rejecting', () => {
      const early = decide(input({ guardrails: [harmed()], windowComplete: false }));
      expect(early.decision).toBe('keep-running');
      expect(allCodes(early)).not.toContain('GUARDRAIL_HARM');
      expect(decide(input({ guardrails: [harmed({ harm: false, statistic: 9 })] })).decision).toBe('no-detectable-effect');
    });

    it('a guardrail that is not estimable harms nothing', () => {
      expect(decide(input({ guardrails: [harmed({ status: 'not-estimable', reason: 'EMPTY_VARIANT' })] })).decision).toBe('no-detectable-effect');
    });
  });

  describe('not shown non-inferior is never harm', () => {
    it('without the opt-in nothing happens: the primary wins and ships, with a note on what the data cannot rule out', () => {
      const o = decide(input({ primary: [better], guardrails: [guardrail({ pass: false, noninferiorityBound: 0.07 })] }));
      expect(o).toMatchObject({ decision: 'ship', rule: 'win', bestTreatment: 'treatment' });
      expect(codes(o)).toEqual(['PRIMARY_BETTER']);
      expect(o.reasons.find((r) => r.code === 'GUARDRAIL_NOT_WORSE')).toMatchObject({
        kind: 'note', message: 'bounce rate is not significantly worse (−1.0%, 95% CI −4.0% to +2.0%); the data cannot yet rule out +2.5%',
      });
    });

    it('with noninferiority: true and not shown while the primary wins: keep running, with the users it needs', () => {
      const g = guardrail({ noninferiority: true, pass: false, noninferiorityBound: 0.07, niNPerArm: 8000, controlN: 5000 });
      const o = decide(input({ primary: [better], guardrails: [g] }));
      expect(o).toMatchObject({ decision: 'keep-running', rule: 'guardrail-inconclusive', bestTreatment: null });
      expect(codes(o)).toEqual(['GUARDRAIL_INCONCLUSIVE']);
      expect(allCodes(o)).not.toContain('GUARDRAIL_HARM');
      expect(o.reasons[0]!.message).toBe('the guardrail bounce rate cannot rule out a +5.0% change yet; about 3,000 more users per arm needed');
      expect(o.headline).toBe('Keep running: the guardrail bounce rate cannot rule out a +5.0% change yet; about 3,000 more users per arm needed.');
      // the same with a plan past its efficacy boundary, and for an increase guardrail the margin is a fall
      const seq = decide(input({ primary: [better], guardrails: [{ ...g, direction: 'increase', pass: null }], ...interim('stop-efficacy', 3.4) }));
      expect(seq).toMatchObject({ decision: 'keep-running', rule: 'guardrail-inconclusive' });
      expect(seq.headline).toMatch(/cannot rule out a −5\.0% change yet; about 3,000 more users per arm needed\.$/);
    });

    it('with noninferiority: true and shown: ships', () => {
      const o = decide(input({ primary: [better], guardrails: [guardrail({ noninferiority: true, pass: true, noninferiorityBound: 0.03 })] }));
      expect(o).toMatchObject({ decision: 'ship', bestTreatment: 'treatment' });
    });

    it('with noninferiority: true and not shown while the primary does not win: no harm, the usual outcome', () => {
      const g = guardrail({ noninferiority: true, pass: false, niNPerArm: 8000, controlN: 5000 });
      expect(decide(input({ guardrails: [g] })).decision).toBe('no-detectable-effect');
      expect(decide(input({ guardrails: [g], windowComplete: false }))).toMatchObject({ decision: 'keep-running', rule: 'inconclusive' });
    });
  });

  describe('the primary metric worse', () => {
    it('with a plan: the harm boundary crossed (stop-harm), at an interim look', () => {
      const o = decide(input({ primary: [worse], ...interim('stop-harm', -3.1) }));
      expect(o).toMatchObject({ decision: 'dont-ship', rule: 'harm', isFinal: false });
      expect(codes(o)).toEqual(['PRIMARY_WORSE']);
      expect(o.reasons[0]!.message).toBe('conversion is significantly worse (−10.0%, 95% CI −15.0% to −5.0%), past the harm boundary');
      expect(o.headline).toBe("Don't ship treatment: conversion is significantly worse (−10.0%, 95% CI −15.0% to −5.0%), past the harm boundary.");
    });

    it('with a plan: a fixed-horizon "worse" is not harm, at an interim look or at the final one', () => {
      const early = decide(input({ primary: [worse], ...interim('continue', -2.5) }));
      expect(early.decision).toBe('keep-running');
      expect(allCodes(early)).not.toContain('PRIMARY_WORSE');
      expect(decide(input({ primary: [worse], ...finalLook('final-no-effect', -1.9) })).decision).toBe('no-detectable-effect');
    });

    it('without a plan: the fixed-horizon test at the final look only', () => {
      const o = decide(input({ primary: [worse] }));
      expect(o).toMatchObject({ decision: 'dont-ship', rule: 'harm' });
      expect(codes(o)).toEqual(['PRIMARY_WORSE']);
      expect(o.headline).toBe("Don't ship treatment: conversion is significantly worse (−10.0%, 95% CI −15.0% to −5.0%).");
      const early = decide(input({ primary: [worse], windowComplete: false }));
      expect(early.decision).toBe('keep-running');
      expect(allCodes(early)).not.toContain('PRIMARY_WORSE');
    });

    it('for a decrease metric, "worse" is the outcome the ab plugin already oriented', () => {
      const o = decide(input({ direction: 'decrease', primary: [primary({ relativeLift: 0.1, outcome: 'worse', pValueAdjusted: 1e-4 })] }));
      expect(o.decision).toBe('dont-ship');
    });
  });
});

describe('rule 3: win → ship', () => {
  it('fixed horizon: significantly better at the end of the window, no guardrail harmed', () => {
    const o = decide(input({ primary: [better] }));
    expect(o).toMatchObject({ decision: 'ship', rule: 'win', bestTreatment: 'treatment', leadingTreatment: 'treatment', isFinal: true });
    expect(codes(o)).toEqual(['PRIMARY_BETTER']);
    expect(o.reasons[0]!.message).toBe('conversion +10.0%, 95% CI +5.0% to +15.0%: adjusted p = 0.000010 at the end of the window; no guardrail is worse');
    expect(o.headline).toBe('Ship treatment: conversion is significantly better (+10.0%, 95% CI +5.0% to +15.0%); no guardrail is worse.');
  });

  it('fixed horizon: significant before the end of the window is not a win (no peeking)', () => {
    const o = decide(input({ primary: [better], windowComplete: false }));
    expect(o).toMatchObject({ decision: 'keep-running', rule: 'inconclusive', isFinal: false });
    expect(o.reasons.find((r) => r.code === 'NOT_SIGNIFICANT')?.message).toMatch(/read only at the end of its window/);
  });

  it('sequential: the efficacy boundary crossed at an interim look', () => {
    const o = decide(input({ primary: [better], ...interim('stop-efficacy', 3.4) }));
    expect(o).toMatchObject({ decision: 'ship', rule: 'win', bestTreatment: 'treatment', isFinal: false });
    expect(o.reasons[0]!.message).toMatch(/past the efficacy boundary \(z = 3\.40 ≥ 2\.96\)/);
    expect(o.headline).toBe('Ship treatment: conversion is significantly better (+10.0%, 95% CI +5.0% to +15.0%) at look 2 of 5; no guardrail is worse.');
  });

  it('sequential: a significant fixed-horizon outcome alone does not ship, at an interim or the final look', () => {
    expect(decide(input({ primary: [better], ...interim('continue', 2.5) })).decision).toBe('keep-running');
    expect(decide(input({ primary: [better], ...finalLook('final-no-effect', 2.0) })).decision).toBe('no-detectable-effect');
  });

  it('not while an arm is below min_sample_per_arm; at it, yes', () => {
    const small = { arms: [{ variant: 'control', n: 5000 }, { variant: 'treatment', n: 80 }] };
    const o = decide(input({ primary: [better], ...small, ...interim('stop-efficacy', 4) }));
    expect(o.decision).toBe('keep-running');
    expect(codes(o)).toContain('INSUFFICIENT_SAMPLE');
    expect(o.reasons.find((r) => r.code === 'INSUFFICIENT_SAMPLE')!.message).toBe('fewer than 100 users in treatment (80)');
    expect(decide(input({ primary: [better], ...small })).decision).toBe('no-detectable-effect');
    expect(decide(input({ primary: [better], arms: [{ variant: 'control', n: 100 }, { variant: 'treatment', n: 100 }] })).decision).toBe('ship');
  });

  it('A/B/n: ships the best winning treatment, even when another one is harmful', () => {
    const a = { ...better, variant: 'a', relativeLift: 0.06 };
    const b = { ...better, variant: 'b', relativeLift: 0.12 };
    const c = { ...worse, variant: 'c' };
    const o = decide(input({
      primary: [a, b, c],
      guardrails: ['a', 'b', 'c'].map((variant) => guardrail({ variant })),
      arms: [{ variant: 'control', n: 5000 }, { variant: 'a', n: 5000 }, { variant: 'b', n: 5000 }, { variant: 'c', n: 5000 }],
    }));
    expect(o).toMatchObject({ decision: 'ship', rule: 'win', bestTreatment: 'b', leadingTreatment: 'b' });
    expect(o.verdicts.map((v) => [v.variant, v.verdict])).toEqual([['a', 'win'], ['b', 'win'], ['c', 'harm']]);
    expect(codes(o)).toEqual(['PRIMARY_BETTER', 'PRIMARY_WORSE']);
    expect(o.reasons[0]!.variant).toBe('b');
  });

  it('A/B/n: a winner with a harmed guardrail is not shipped; the next best winner is', () => {
    const a = { ...better, variant: 'a', relativeLift: 0.06 };
    const b = { ...better, variant: 'b', relativeLift: 0.12 };
    const o = decide(input({
      primary: [a, b], guardrails: [guardrail({ variant: 'a' }), harmed({ variant: 'b' })],
      arms: [{ variant: 'control', n: 5000 }, { variant: 'a', n: 5000 }, { variant: 'b', n: 5000 }],
    }));
    expect(o).toMatchObject({ decision: 'ship', bestTreatment: 'a', leadingTreatment: 'b' });
    expect(o.verdicts.map((v) => [v.variant, v.verdict])).toEqual([['a', 'win'], ['b', 'harm']]);
    expect(codes(o)).toEqual(['PRIMARY_BETTER', 'GUARDRAIL_HARM']);
  });

  it('A/B/n with a decrease metric: the best is the largest decrease', () => {
    const a = { ...better, variant: 'a', relativeLift: -0.06 };
    const b = { ...better, variant: 'b', relativeLift: -0.12 };
    const o = decide(input({ direction: 'decrease', primary: [a, b], guardrails: [] }));
    expect(o.bestTreatment).toBe('b');
  });
});

describe('rule 4: otherwise', () => {
  it('keep running, with the information fraction and the next boundary', () => {
    const o = decide(input(interim()));
    expect(o).toMatchObject({ decision: 'keep-running', rule: 'inconclusive', bestTreatment: null, isFinal: false });
    expect(codes(o)).toEqual(['KEEP_RUNNING']);
    expect(o.headline).toBe('Keep running: look 2 of 5, information 40%; next look at information 60% must reach |z| ≥ 2.54.');
  });

  it('keep running without a plan until the window is over', () => {
    expect(decide(input({ windowComplete: false })).headline).toBe('Keep running: the window is not over; read at the end of the window.');
  });

  it('no detectable effect at the final look, with the MDE', () => {
    const o = decide(input());
    expect(o).toMatchObject({ decision: 'no-detectable-effect', rule: 'inconclusive', isFinal: true, bestTreatment: null });
    expect(codes(o)).toEqual(['NO_DETECTABLE_EFFECT']);
    expect(o.reasons[0]!.message).toBe('final look: no significant effect on conversion; the experiment could detect about ±5.0%');
    expect(o.headline).toBe('No detectable effect on conversion (treatment +2.0%, 95% CI −1.0% to +5.0%); the test could detect about ±5.0%.');
    const abs = decide(input({ primary: [primary({ mdeRelative: null })] }));
    expect(abs.headline).toMatch(/; the test could detect about ±0\.00500 \(absolute\)\.$/);
    const seq = decide(input(finalLook('final-no-effect', 1.1)));
    expect(seq).toMatchObject({ decision: 'no-detectable-effect', isFinal: true });
    expect(seq.headline).toMatch(/the test could detect about ±5\.0%\.$/);
  });

  it('a primary metric that is not estimable ends as no detectable effect at the final look', () => {
    const o = decide(input({ primary: [primary({ status: 'not-estimable', reason: 'ZERO_VARIANCE', relativeLift: null, absoluteLift: null, outcome: null })] }));
    expect(o.decision).toBe('no-detectable-effect');
    expect(o.reasons.map((r) => r.code)).toContain('PRIMARY_NOT_ESTIMABLE');
  });
});

describe('decision inputs from the result rows', () => {
  it('a guardrail row: the pre-registered z, the harm flag and bound, the opt-in', () => {
    const g = guardrailResult({
      metric: 'bounce_rate', variant: 'treatment', direction: 'decrease', status: 'ok', statistic: 2.5, guardrail_margin: 0.05,
      guardrail_harm: true, harm_bound: 0.01, noninferiority: null, guardrail_pass: null, ni_n_per_arm: null, control_n: 5000,
    });
    expect(g).toMatchObject({ statistic: 2.5, margin: 0.05, harm: true, harmBound: 0.01, noninferiority: false, pass: null, controlN: 5000 });
    expect(guardrailResult({ noninferiority: true, guardrail_pass: false, ni_n_per_arm: 9000 })).toMatchObject({ noninferiority: true, pass: false, niNPerArm: 9000 });
    expect(primaryResult({ variant: 'treatment', status: 'ok', mde_relative: 0.04, outcome: 'better' })).toMatchObject({ mdeRelative: 0.04, outcome: 'better' });
  });

  it('the guardrail boundary and z of the look the decision stands on: the current one, or the last recorded one', () => {
    const row = { variant: 'treatment', planned_looks: 3, decision: 'continue', z: 1, boundary: 3.7, is_final_look: false, guardrail_boundary: 3.9 };
    expect(sequentialState([{ ...row, look: 1, is_current: true, look_status: 'recorded' }])).toMatchObject({ look: 1, guardrailBoundary: 3.9 });
    const history = { ...row, look: 1, is_current: false, look_status: 'history', guardrail_boundary: 2.1, guardrail_z: { bounce_rate: { treatment: 2.5 } } };
    const standing = [history, { ...row, look: 2, is_current: true, look_status: 'after-final', guardrail_boundary: null, guardrail_z: { bounce_rate: { treatment: 0.4 } } }];
    expect(sequentialState(standing)).toMatchObject({ look: 1, guardrailBoundary: 2.1 });
    // a harm found at the recorded final look is not forgotten by a later build on more data
    const g = guardrailResult({ metric: 'bounce_rate', variant: 'treatment', direction: 'decrease', status: 'ok', statistic: 0.4 });
    expect(withLookZ([g], standing)[0]!.statistic).toBe(2.5);
    expect(withLookZ([g], [{ ...row, look: 1, is_current: true, look_status: 'recorded' }])[0]!.statistic).toBe(0.4);
    expect(sequentialState([{ ...row, look: 1, is_current: true, look_status: 'no-plan' }])).toBeNull();
  });
});
