/**
 * The decision rules on constructed inputs, one branch at a time, without DuckDB:
 * untrustworthy → harm → win → keep running / no detectable effect, per treatment for A/B/n.
 */
import { describe, expect, it } from 'vitest';
import { decide, type DecisionInput, type GuardrailResult, type PrimaryResult } from '../../src/analyses/lib/decision-rules.ts';

const primary = (over: Partial<PrimaryResult> = {}): PrimaryResult => ({
  variant: 'treatment', status: 'ok', reason: null, absoluteLift: 0.002, relativeLift: 0.02, relativeCiLower: -0.01, relativeCiUpper: 0.05,
  pValueAdjusted: 0.3, outcome: 'inconclusive', mdeAbsolute: 0.005, mdeRelative: 0.05, ...over,
});
const guardrail = (over: Partial<GuardrailResult> = {}): GuardrailResult => ({
  metric: 'bounce_rate', variant: 'treatment', status: 'ok', reason: null, relativeLift: -0.01, margin: 0.05, noninferiorityBound: 0.02,
  pass: true, harm: false, ...over,
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

const sequential = (over: Partial<NonNullable<DecisionInput['sequential']>> = {}, decision = 'continue', z = 1.2): NonNullable<DecisionInput['sequential']> => ({
  look: 2, plannedLooks: 5, informationFraction: 0.4, isFinal: false, boundary: 2.96, nextInformationFraction: 0.6, nextBoundary: 2.54, alphaSpent: 0.004,
  variants: [{ variant: 'treatment', decision, z, boundary: 2.96 }], ...over,
});

const codes = (o: ReturnType<typeof decide>): string[] => o.reasons.filter((r) => r.kind === 'blocking').map((r) => r.code);

describe('rule 1: untrustworthy → investigate', () => {
  it('a failed error-severity DQ check, even with a winning primary', () => {
    const o = decide(input({ primary: [better], dqFailures: [{ check: 'multi_variant_users', details: '40 of 5000 users' }] }));
    expect(o).toMatchObject({ decision: 'investigate', rule: 'untrustworthy', bestTreatment: null, verdicts: [] });
    expect(codes(o)).toEqual(['DQ_FAILED']);
    expect(o.headline).toBe('Investigate: the results are not trustworthy (DQ_FAILED); no ship recommendation.');
  });

  it('SRM below the threshold; not at or above it', () => {
    expect(codes(decide(input({ srm: { status: 'ok', pValue: 0.0009 } })))).toEqual(['SRM']);
    expect(decide(input({ srm: { status: 'ok', pValue: 0.001 } })).decision).not.toBe('investigate');
    expect(decide(input({ srm: { status: 'ok', pValue: 0.004 }, srmThreshold: 0.005 })).decision).toBe('investigate');
  });

  it('an SRM test that is not estimable (no users) is investigated too', () => {
    expect(codes(decide(input({ srm: { status: 'not-estimable', pValue: null, detail: 'no units were observed' } })))).toEqual(['SRM_NOT_ESTIMABLE']);
  });

  it('DQ warnings are notes, not blockers', () => {
    const o = decide(input({ dqWarnings: [{ check: 'outcomes_duplicate_rows', details: '1%' }] }));
    expect(o.decision).toBe('no-detectable-effect');
    expect(o.reasons.find((r) => r.code === 'DQ_WARNING')?.kind).toBe('note');
  });
});

describe('rule 2: harm → dont-ship', () => {
  it('a guardrail significantly worse, at any look', () => {
    const o = decide(input({ primary: [better], guardrails: [guardrail({ harm: true, pass: false, relativeLift: 0.08 })], sequential: sequential({}, 'stop-efficacy', 3.5) }));
    expect(o).toMatchObject({ decision: 'dont-ship', rule: 'harm', bestTreatment: null });
    expect(codes(o)).toEqual(['GUARDRAIL_HARM']);
    expect(o.headline).toBe("Don't ship treatment: guardrail bounce_rate is significantly worse (+8.0%).");
  });

  it('a guardrail not shown non-inferior at the final look', () => {
    const o = decide(input({ primary: [better], guardrails: [guardrail({ pass: false, noninferiorityBound: 0.07 })] }));
    expect(codes(o)).toEqual(['GUARDRAIL_NOT_NONINFERIOR']);
    expect(o.decision).toBe('dont-ship');
  });

  it('the primary metric significantly worse (fixed horizon), or the harm boundary crossed', () => {
    expect(codes(decide(input({ primary: [worse] })))).toEqual(['PRIMARY_WORSE']);
    const o = decide(input({ primary: [primary()], sequential: sequential({}, 'stop-harm', -3.1), windowComplete: false }));
    expect(o.decision).toBe('dont-ship');
    expect(o.reasons[0]!.message).toMatch(/harm boundary crossed/);
  });

  it('for a decrease metric, "worse" is the outcome the ab plugin already oriented', () => {
    const o = decide(input({ direction: 'decrease', primary: [primary({ relativeLift: 0.1, outcome: 'worse', pValueAdjusted: 1e-4 })] }));
    expect(o.decision).toBe('dont-ship');
  });
});

describe('rule 3: win → ship', () => {
  it('fixed horizon: significantly better at the end of the window, guardrails non-inferior', () => {
    const o = decide(input({ primary: [better] }));
    expect(o).toMatchObject({ decision: 'ship', rule: 'win', bestTreatment: 'treatment', leadingTreatment: 'treatment', isFinal: true });
    expect(codes(o)).toEqual(['PRIMARY_BETTER']);
    expect(o.headline).toBe('Ship treatment: conversion +10.0% (CI +5.0% to +15.0%); guardrails hold.');
  });

  it('fixed horizon: significant before the end of the window is not a win (no peeking)', () => {
    const o = decide(input({ primary: [better], windowComplete: false }));
    expect(o.decision).toBe('keep-running');
    expect(o.reasons.find((r) => r.code === 'NOT_SIGNIFICANT')?.message).toMatch(/read only at the end of its window/);
  });

  it('sequential: the efficacy boundary crossed at an interim look', () => {
    const o = decide(input({ primary: [better], sequential: sequential({}, 'stop-efficacy', 3.4), windowComplete: false }));
    expect(o).toMatchObject({ decision: 'ship', bestTreatment: 'treatment', isFinal: false });
    expect(o.reasons[0]!.message).toMatch(/efficacy boundary 2\.96 crossed \(z = 3\.40\)/);
    expect(o.headline).toMatch(/at look 2 of 5/);
  });

  it('sequential: a significant fixed-horizon p-value alone does not ship', () => {
    expect(decide(input({ primary: [better], sequential: sequential({}, 'continue', 2.5), windowComplete: false })).decision).toBe('keep-running');
  });

  it('not while a guardrail is still pending at an interim look', () => {
    const o = decide(input({ primary: [better], guardrails: [guardrail({ pass: null })], sequential: sequential({}, 'stop-efficacy', 3.4), windowComplete: false }));
    expect(o.decision).toBe('keep-running');
    expect(o.reasons.map((r) => r.code)).toContain('GUARDRAIL_PENDING');
  });

  it('not below the minimum sample per arm', () => {
    const o = decide(input({ primary: [better], arms: [{ variant: 'control', n: 5000 }, { variant: 'treatment', n: 80 }], windowComplete: false, sequential: sequential({}, 'stop-efficacy', 4) }));
    expect(o.decision).toBe('keep-running');
    expect(codes(o)).toContain('INSUFFICIENT_SAMPLE');
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
    expect(o).toMatchObject({ decision: 'ship', bestTreatment: 'b' });
    expect(o.verdicts.map((v) => [v.variant, v.verdict])).toEqual([['a', 'win'], ['b', 'win'], ['c', 'harm']]);
    expect(o.reasons.map((r) => r.code)).toEqual(['PRIMARY_BETTER', 'PRIMARY_WORSE']);
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
    const o = decide(input({ sequential: sequential(), windowComplete: false }));
    expect(o).toMatchObject({ decision: 'keep-running', rule: 'inconclusive', bestTreatment: null, isFinal: false });
    expect(o.headline).toBe('Keep running: look 2 of 5, information 40%; next look at information 60% must reach |z| ≥ 2.54.');
  });

  it('keep running without a plan until the window is over', () => {
    expect(decide(input({ windowComplete: false })).headline).toBe('Keep running: the window is not over; read at the end of the window.');
  });

  it('no detectable effect at the final look, with the MDE', () => {
    const o = decide(input());
    expect(o).toMatchObject({ decision: 'no-detectable-effect', rule: 'inconclusive', isFinal: true });
    expect(o.headline).toBe('No detectable effect on conversion (treatment +2.0% (CI -1.0% to +5.0%)); minimum detectable effect ≈ 5.0% relative.');
    const seq = decide(input({ sequential: sequential({ isFinal: true, look: 5 }, 'final-no-effect', 1.1), windowComplete: false }));
    expect(seq.decision).toBe('no-detectable-effect');
  });

  it('a primary metric that is not estimable ends as no detectable effect at the final look', () => {
    const o = decide(input({ primary: [primary({ status: 'not-estimable', reason: 'ZERO_VARIANCE', relativeLift: null, absoluteLift: null, outcome: null })] }));
    expect(o.decision).toBe('no-detectable-effect');
    expect(o.reasons.map((r) => r.code)).toContain('PRIMARY_NOT_ESTIMABLE');
  });
});
