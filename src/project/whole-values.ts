/**
 * Which per-user values of a metric are whole numbers by construction, so SQL can sum them
 * exactly with one integer sum instead of the split sum of macros/exact_sum.sql: a sum of
 * integers is exact (accumulated in 128 bits) in any order, so it gives the same bits on
 * every run, which is all exact_sum is for. Whole: a binomial value (0/1), a count of
 * events (a mean or ratio part without a `value` column) that no cap or winsorisation bound
 * (quantile_cont: any real) can move. Everything else keeps the split sum.
 */
import type { MetricConfig } from './types.ts';

export interface WholeValues {
  /** the user's value (for ratio metrics: the numerator), and its pre-period twin */
  readonly value: boolean;
  /** ratio metrics: the denominator part */
  readonly denominator: boolean;
}

export function wholeValues(m: MetricConfig): WholeValues {
  switch (m.type) {
    case 'binomial':
      return { value: true, denominator: false };
    case 'mean':
      return { value: m.value === undefined && m.cap_quantile === undefined && m.cap === undefined, denominator: false };
    case 'ratio':
      return { value: m.numerator.value === undefined, denominator: m.denominator.value === undefined };
    case 'quantile':
      return { value: false, denominator: false };
  }
}
