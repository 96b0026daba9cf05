import { describe, expect, it } from 'vitest';
import { defaultTestConfig, isNotEstimable, notEstimable } from '../../src/stats/types.ts';

describe('result union helpers', () => {
  it('notEstimable builds the not-estimable branch and isNotEstimable recognizes it', () => {
    const r = notEstimable('EMPTY_VARIANT', 'control has no units');
    expect(r).toEqual({ status: 'not-estimable', reason: 'EMPTY_VARIANT', detail: 'control has no units' });
    expect(isNotEstimable(r)).toBe(true);
    expect(isNotEstimable({ status: 'ok' })).toBe(false);
    expect(isNotEstimable(null)).toBe(false);
  });

  it('the default test config is two-sided, absolute, alpha 0.05, no margin', () => {
    expect(defaultTestConfig).toEqual({ alpha: 0.05, difference: 'absolute', alternative: 'two-sided', margin: 0 });
  });
});
