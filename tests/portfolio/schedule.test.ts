/** xp schedule's conflicts and earliest starts, pure over windows (table-driven). */
import { describe, expect, it } from 'vitest';
import { earliestStart, planSchedule, portfolioConflicts } from '../../src/portfolio/schedule.ts';
import type { Experiment } from '../../src/project/types.ts';
import { dayNumber, isoDay } from '../../src/project/windows.ts';

function exp(id: string, start: string, days: number, o: { primary?: string; guardrails?: string[]; layer?: string; traffic?: number } = {}): Experiment {
  return {
    id, name: id, start, days, primary_metric: o.primary ?? id.replace('exp_', 'metric_'), guardrails: o.guardrails ?? [],
    ...(o.layer !== undefined && { layer: o.layer }), ...(o.traffic !== undefined && { traffic: o.traffic }),
  } as unknown as Experiment;
}

describe('portfolio conflicts', () => {
  it.each([
    ['same primary, overlapping', [exp('exp_a', '2026-01-01', 14, { primary: 'conversion' }), exp('exp_b', '2026-01-10', 14, { primary: 'conversion' })], [['exp_b', 'exp_a', 'same_primary', '2026-01-10', '2026-01-15']]],
    ['same primary, back to back', [exp('exp_a', '2026-01-01', 14, { primary: 'conversion' }), exp('exp_b', '2026-01-15', 14, { primary: 'conversion' })], []],
    ['same primary in one layer (exclusive users)', [exp('exp_a', '2026-01-01', 14, { primary: 'conversion', layer: 'l', traffic: 0.5 }), exp('exp_b', '2026-01-01', 14, { primary: 'conversion', layer: 'l', traffic: 0.5 })], []],
    ['guardrail of one is the other\'s primary', [exp('exp_a', '2026-01-01', 14, { primary: 'revenue', guardrails: ['bounce'] }), exp('exp_b', '2026-01-05', 14, { primary: 'bounce' })], [['exp_b', 'exp_a', 'guardrail_is_primary', '2026-01-05', '2026-01-15']]],
    ['layer over 100%', [exp('exp_a', '2026-01-01', 14, { layer: 'l', traffic: 0.7 }), exp('exp_b', '2026-01-08', 14, { layer: 'l', traffic: 0.5 })], [['exp_b', 'exp_a', 'layer_capacity', '2026-01-08', '2026-01-15']]],
    ['layer at exactly 100%', [exp('exp_a', '2026-01-01', 14, { layer: 'l', traffic: 0.34 }), exp('exp_b', '2026-01-01', 14, { layer: 'l', traffic: 0.33 }), exp('exp_c', '2026-01-01', 14, { layer: 'l', traffic: 0.33 })], []],
  ] as const)('%s', (_name, experiments, expected) => {
    expect(portfolioConflicts(experiments).map((c) => [c.experiment, c.with, c.kind, c.from, c.to])).toEqual(expected);
  });
});

describe('earliest start', () => {
  it('is the configured start without a conflict, else the first end of a window after which none remains', () => {
    const a = exp('exp_a', '2026-01-01', 14, { primary: 'conversion' });
    const c = exp('exp_c', '2026-01-20', 10, { primary: 'conversion' });
    const b = exp('exp_b', '2026-01-10', 7, { primary: 'conversion' });
    // Jan 15 (a ends) still collides with c from Jan 20 (7 days to Jan 22); Jan 30 (c ends) is free
    expect(isoDay(earliestStart(b, [a, c], dayNumber(b.start)))).toBe('2026-01-30');
    const short = exp('exp_b', '2026-01-10', 5, { primary: 'conversion' });
    expect(isoDay(earliestStart(short, [a, c], dayNumber(short.start)))).toBe('2026-01-15');
    const free = exp('exp_f', '2026-01-10', 7, { primary: 'other' });
    expect(isoDay(earliestStart(free, [a, c], dayNumber(free.start)))).toBe('2026-01-10');
  });

  it('fits a layer: waits until enough of the layer is free', () => {
    const a = exp('exp_a', '2026-01-01', 14, { layer: 'l', traffic: 0.6 });
    const b = exp('exp_b', '2026-01-01', 7, { layer: 'l', traffic: 0.4 });
    const n = exp('exp_n', '2026-01-03', 5, { layer: 'l', traffic: 0.3 });
    const r = planSchedule([a, b, n]);
    expect(r.conflicts.map((c) => [c.experiment, c.with, c.kind])).toEqual([['exp_n', 'exp_a', 'layer_capacity'], ['exp_n', 'exp_b', 'layer_capacity']]);
    expect(r.proposals).toEqual([{ experiment: 'exp_n', configuredStart: '2026-01-03', earliestStart: '2026-01-08', delayDays: 5 }]);
  });
});
