/**
 * Row types of the tables the shipped models write (models/metrics, models/checks), as the
 * analysis plugins and the report read them. One definition: when a model's columns change,
 * this file changes with it.
 */
export type MetricType = 'binomial' | 'mean' | 'ratio' | 'quantile';

/** One row of metric_aggregates_overall: one experiment × variant × metric. */
export interface OverallAggregate {
  readonly variant: string;
  readonly metric: string;
  readonly metric_type: MetricType;
  readonly n: number;
  readonly sum: number;
  readonly sum_squares: number;
  readonly pre_sum: number;
  readonly pre_sum_squares: number;
  readonly sum_pre_product: number;
  readonly denominator_sum: number | null;
  readonly denominator_sum_squares: number | null;
  readonly numerator_denominator_sum: number | null;
  /** ratio metrics only: the pre-period denominator and the cross sums ratio CUPED needs */
  readonly pre_denominator_sum?: number | null;
  readonly pre_denominator_sum_squares?: number | null;
  readonly pre_numerator_denominator_sum?: number | null;
  readonly denominator_pre_denominator_sum?: number | null;
  readonly numerator_pre_denominator_sum?: number | null;
  readonly denominator_pre_numerator_sum?: number | null;
  /** quantile metrics only: the sample quantile of users' values and the order statistics
   * at its 95% distribution-free bounds (metric_aggregates_overall) */
  readonly quantile_value?: number | null;
  readonly quantile_lower?: number | null;
  readonly quantile_upper?: number | null;
  /** capped / winsorised mean metrics: the bounds user values were held to */
  readonly value_cap?: number | null;
  readonly value_floor?: number | null;
}

/** One row of slices/slice_aggregates: the overall sufficient statistics within one level of one dimension. */
export interface SliceAggregate extends Pick<OverallAggregate,
  'variant' | 'metric' | 'metric_type' | 'n' | 'sum' | 'sum_squares' | 'denominator_sum' | 'denominator_sum_squares' | 'numerator_denominator_sum'> {
  readonly dimension: string;
  readonly level: string;
}

/** One row of metric_aggregates_daily: one variant × metric × day (pre and post period). */
export interface DailyAggregate {
  readonly variant: string;
  readonly metric: string;
  readonly metric_type: MetricType;
  readonly day: string;
  readonly day_index: number;
  readonly period: 'pre' | 'post';
  readonly n_daily: number;
  readonly sum_daily: number;
  readonly sum_squares_daily: number;
  readonly n_cum: number | null;
  readonly sum_cum: number | null;
  readonly sum_squares_cum: number | null;
  readonly denominator_sum_daily: number | null;
  readonly denominator_sum_squares_daily: number | null;
  readonly numerator_denominator_sum_daily: number | null;
  readonly denominator_sum_cum: number | null;
  readonly denominator_sum_squares_cum: number | null;
  readonly numerator_denominator_sum_cum: number | null;
}

/** One row of exp.srm_counts (models/checks/srm_counts.sql). */
export interface SrmCount {
  readonly grain: 'overall' | 'daily';
  readonly day: string | null;
  readonly day_index: number | null;
  readonly variant: string;
  readonly expected_share: number;
  readonly observed: number;
  readonly total: number;
  readonly expected: number;
  readonly observed_share: number | null;
  readonly observed_cum: number;
  readonly total_cum: number;
  readonly expected_cum: number;
}
