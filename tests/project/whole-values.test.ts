import { describe, expect, it } from 'vitest';
import { wholeValues } from '../../src/project/whole-values.ts';
import type { MetricConfig } from '../../src/project/types.ts';

const m = (x: Record<string, unknown>): MetricConfig => x as unknown as MetricConfig;

describe('which per-user values are whole numbers (summed with one integer sum)', () => {
  it('binomial values (0/1) and counts of events are whole', () => {
    expect(wholeValues(m({ type: 'binomial', event: 'purchase' }))).toEqual({ value: true, denominator: false });
    expect(wholeValues(m({ type: 'mean', event: 'page_view' }))).toEqual({ value: true, denominator: false });
  });

  it('a summed value column, or a cap or winsorisation bound (quantile_cont: any real), is not', () => {
    expect(wholeValues(m({ type: 'mean', event: 'purchase', value: 'value' })).value).toBe(false);
    expect(wholeValues(m({ type: 'mean', event: 'page_view', cap_quantile: 0.99 })).value).toBe(false);
    expect(wholeValues(m({ type: 'mean', event: 'page_view', cap: { upper_value: 10 } })).value).toBe(false);
    expect(wholeValues(m({ type: 'quantile', event: 'page_view', quantile: 0.5 })).value).toBe(false);
  });

  it('a ratio part is whole when it counts events', () => {
    expect(wholeValues(m({ type: 'ratio', numerator: { event: 'purchase', value: 'value' }, denominator: { event: 'purchase' } })))
      .toEqual({ value: false, denominator: true });
    expect(wholeValues(m({ type: 'ratio', numerator: { event: 'click' }, denominator: { event: 'view', value: 'seconds' } })))
      .toEqual({ value: true, denominator: false });
  });
});
