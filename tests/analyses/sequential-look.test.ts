/** computeLook without DuckDB: boundaries from the earlier looks, the final look, no-look cases, A/B/n. */
import { describe, expect, it } from 'vitest';
import { computeLook, leadingZ, lookDecision, nextPlannedFraction, type LookInput, type PreviousLook } from '../../src/analyses/lib/sequential-look.ts';
import { groupSequentialBounds, normalQuantile } from '../../src/stats/index.ts';

const plan = { looks: 4, spending: 'obrien-fleming' as const, alpha: 0.05, targetNPerArm: 1000 };
const input = (over: Partial<LookInput> = {}): LookInput => ({
  plan, direction: 'increase', treatments: 1, rawInformationFraction: 0.3, windowComplete: false, previous: [],
  variants: [{ variant: 'treatment', z: 1 }], ...over,
});
const prev = (look: number, t: number, over: Partial<PreviousLook> = {}): PreviousLook => ({ look, informationFraction: t, spendingFraction: t, final: false, decision: 'continue', ...over });
const bounds = (fractions: number[], alpha = 0.05) => groupSequentialBounds({ informationFractions: fractions, alpha, sided: 2, spending: 'obrien-fleming' });

describe('computeLook', () => {
  it('look 1: the boundary at its information fraction, the next at the next planned fraction', () => {
    const o = computeLook(input());
    if (o.status !== 'ok') throw new Error(o.status);
    expect(o).toMatchObject({ look: 1, informationFraction: 0.3, spendingFraction: 0.3, isFinal: false, decision: 'continue', nextInformationFraction: 0.5 });
    expect(o.boundary).toBeCloseTo(bounds([0.3]).zBounds[0]!, 12);
    expect(o.nextBoundary).toBeCloseTo(bounds([0.3, 0.5]).zBounds[1]!, 12);
    expect(o.alphaSpent).toBeCloseTo(bounds([0.3]).cumulativeAlphaSpent[0]!, 15);
  });

  it('later looks use the earlier looks\' fractions; crossing stops for efficacy or harm by direction', () => {
    const previous = [prev(1, 0.3), prev(2, 0.55)];
    const b = bounds([0.3, 0.55, 0.8]).zBounds[2]!;
    const up = computeLook(input({ previous, rawInformationFraction: 0.8, variants: [{ variant: 'treatment', z: b + 0.01 }] }));
    if (up.status !== 'ok') throw new Error(up.status);
    expect(up).toMatchObject({ look: 3, decision: 'stop-efficacy' });
    expect(up.boundary).toBeCloseTo(b, 12);
    const down = computeLook(input({ previous, rawInformationFraction: 0.8, variants: [{ variant: 'treatment', z: -b - 0.01 }] }));
    expect(down.decision).toBe('stop-harm');
    const dec = computeLook(input({ previous, rawInformationFraction: 0.8, direction: 'decrease', variants: [{ variant: 'treatment', z: -b - 0.01 }] }));
    expect(dec.decision).toBe('stop-efficacy');
  });

  it('the final look spends the rest of alpha at fraction 1: by information, by the window or by the last planned look', () => {
    for (const over of [{ rawInformationFraction: 1.4 }, { windowComplete: true }, { previous: [prev(1, 0.2), prev(2, 0.3), prev(3, 0.4)] }]) {
      const o = computeLook(input({ rawInformationFraction: 0.5, ...over }));
      if (o.status !== 'ok') throw new Error(o.status);
      expect(o).toMatchObject({ isFinal: true, spendingFraction: 1, nextInformationFraction: null, nextBoundary: null, decision: 'final-no-effect' });
      expect(o.informationFraction).toBe(Math.min(1, over.rawInformationFraction ?? 0.5));
      expect(o.alphaSpent).toBeCloseTo(0.05, 12);
    }
    const single = computeLook(input({ windowComplete: true }));
    expect(single.status === 'ok' && single.boundary).toBeCloseTo(1.959964, 5);
  });

  it('takes no look without information, without new information, or after the final look', () => {
    expect(computeLook(input({ rawInformationFraction: 0 })).status).toBe('no-information');
    const same = computeLook(input({ previous: [prev(1, 0.3)], rawInformationFraction: 0.3 }));
    expect(same).toMatchObject({ status: 'no-new-information', look: 2, decision: 'continue' });
    const after = computeLook(input({ previous: [prev(1, 1, { final: true, decision: 'stop-efficacy' })], rawInformationFraction: 1 }));
    expect(after).toMatchObject({ status: 'after-final', decision: 'stop-efficacy' });
    expect(computeLook(input({ variants: [{ variant: 'treatment', z: null }] })).status).toBe('not-estimable');
  });

  it('A/B/n: Bonferroni over treatments, the family alpha spent, any efficacy stops', () => {
    const o = computeLook(input({ treatments: 2, variants: [{ variant: 'a', z: 0.5 }, { variant: 'b', z: 5 }] }));
    if (o.status !== 'ok') throw new Error(o.status);
    expect(o.comparisonAlpha).toBe(0.025);
    expect(o.boundary).toBeCloseTo(bounds([0.3], 0.025).zBounds[0]!, 12);
    expect(o.alphaSpent).toBeCloseTo(2 * bounds([0.3], 0.025).cumulativeAlphaSpent[0]!, 15);
    expect(o.variants.map((v) => v.decision)).toEqual(['continue', 'stop-efficacy']);
    expect(o.decision).toBe('stop-efficacy');
  });

  it('guardrail boundary: the same spending function at alpha / (guardrails × treatments), harm one-sided at half of it', () => {
    const none = computeLook(input());
    expect(none.status === 'ok' && none.guardrailBoundary).toBeNull();
    const one = computeLook(input({ guardrailComparisons: 1 }));
    if (one.status !== 'ok') throw new Error(one.status);
    expect(one.guardrailBoundary).toBeCloseTo(bounds([0.3], 0.05).zBounds[0]!, 12);
    // two guardrails × two treatments, at look 3 given the earlier looks
    const previous = [prev(1, 0.3), prev(2, 0.55)];
    const four = computeLook(input({ previous, rawInformationFraction: 0.8, treatments: 2, guardrailComparisons: 4, variants: [{ variant: 'a', z: 0 }, { variant: 'b', z: 0 }] }));
    if (four.status !== 'ok') throw new Error(four.status);
    expect(four.guardrailBoundary).toBeCloseTo(bounds([0.3, 0.55, 0.8], 0.05 / 4).zBounds[2]!, 12);
    expect(four.guardrailBoundary!).toBeGreaterThan(four.boundary!);
    // a single final look: the fixed-horizon one-sided harm test at alpha / (2 G)
    const final = computeLook(input({ windowComplete: true, guardrailComparisons: 2 }));
    expect(final.status === 'ok' && final.guardrailBoundary).toBeCloseTo(normalQuantile(1 - 0.05 / (2 * 2)), 6);
    // the boundary does not decide the primary's look
    expect(final.decision).toBe('final-no-effect');
  });
});

describe('helpers', () => {
  it('nextPlannedFraction: the first k/K above the current fraction', () => {
    expect(nextPlannedFraction(0, 4)).toBe(0.25);
    expect(nextPlannedFraction(0.25, 4)).toBe(0.5);
    expect(nextPlannedFraction(0.26, 4)).toBe(0.5);
    expect(nextPlannedFraction(1, 4)).toBeNull();
  });

  it('lookDecision: harm only when every estimable treatment is harmful', () => {
    expect(lookDecision([{ decision: 'stop-harm' }, { decision: 'continue' }], false)).toBe('continue');
    expect(lookDecision([{ decision: 'stop-harm' }, { decision: null }], false)).toBe('stop-harm');
    expect(lookDecision([{ decision: null }], true)).toBe('final-no-effect');
  });

  it('leadingZ: the treatment most in favour of the direction', () => {
    expect(leadingZ('increase', [{ variant: 'a', z: -1 }, { variant: 'b', z: 2 }])).toBe(2);
    expect(leadingZ('decrease', [{ variant: 'a', z: -1 }, { variant: 'b', z: 2 }])).toBe(-1);
    expect(leadingZ('increase', [{ variant: 'a', z: null }])).toBeNull();
  });
});
