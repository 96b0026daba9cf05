/**
 * The sufficient statistics the plugins read (models/metrics/metric_aggregates_*), typed,
 * and their conversion to the input shapes of src/stats. Pure except for `load*`, which
 * run one query through the plugin context.
 */
import type { AnalysisContext } from '../../analyse/plugin.ts';
import type { CupedStats, DidStats, MeanStats, ProportionStats, RatioCupedStats, RatioStats } from '../../stats/index.ts';

export type { MetricType, OverallAggregate, DailyAggregate } from '../model-rows.ts';
import type { MetricType, OverallAggregate, DailyAggregate } from '../model-rows.ts';

/** The per-arm statistics of one metric in the shape every two-sample test can take. */
export interface ArmStats {
  readonly n: number;
  readonly sum: number;
  readonly sumSquares: number;
  /** ratio metrics only */
  readonly denominatorSum?: number | null;
  readonly denominatorSumSquares?: number | null;
  readonly numeratorDenominatorSum?: number | null;
  /** quantile metrics only (overall rows): the sample quantile and its order-statistic bounds */
  readonly quantile?: { readonly value: number; readonly lower: number; readonly upper: number } | null;
}

const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));
const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

/** One metric_aggregates_overall row as DuckDB returns it, typed (NULL sums read as 0). */
export function overallRow(r: Record<string, unknown>): OverallAggregate {
  return {
    variant: String(r['variant']),
    metric: String(r['metric']),
    metric_type: r['metric_type'] as MetricType,
    n: num(r['n']),
    sum: num(r['sum']),
    sum_squares: num(r['sum_squares']),
    pre_sum: num(r['pre_sum']),
    pre_sum_squares: num(r['pre_sum_squares']),
    sum_pre_product: num(r['sum_pre_product']),
    denominator_sum: numOrNull(r['denominator_sum']),
    denominator_sum_squares: numOrNull(r['denominator_sum_squares']),
    numerator_denominator_sum: numOrNull(r['numerator_denominator_sum']),
    pre_denominator_sum: numOrNull(r['pre_denominator_sum']),
    pre_denominator_sum_squares: numOrNull(r['pre_denominator_sum_squares']),
    pre_numerator_denominator_sum: numOrNull(r['pre_numerator_denominator_sum']),
    denominator_pre_denominator_sum: numOrNull(r['denominator_pre_denominator_sum']),
    numerator_pre_denominator_sum: numOrNull(r['numerator_pre_denominator_sum']),
    denominator_pre_numerator_sum: numOrNull(r['denominator_pre_numerator_sum']),
    quantile_value: numOrNull(r['quantile_value']),
    quantile_lower: numOrNull(r['quantile_lower']),
    quantile_upper: numOrNull(r['quantile_upper']),
    value_cap: numOrNull(r['value_cap']),
    value_floor: numOrNull(r['value_floor']),
  };
}

export async function loadOverall(ctx: AnalysisContext): Promise<OverallAggregate[]> {
  const rows = await ctx.query(
    'select * exclude (experiment_id) from exp.metric_aggregates_overall where experiment_id = $experiment_id',
  );
  return rows.map(overallRow);
}

export async function loadDaily(ctx: AnalysisContext): Promise<DailyAggregate[]> {
  const rows = await ctx.query(
    'select * exclude (experiment_id) from exp.metric_aggregates_daily where experiment_id = $experiment_id order by metric, variant, day_index',
  );
  return rows.map((r) => ({
    variant: String(r['variant']),
    metric: String(r['metric']),
    metric_type: r['metric_type'] as MetricType,
    day: String(r['day']),
    day_index: num(r['day_index']),
    period: r['period'] === 'pre' ? 'pre' : 'post',
    n_daily: num(r['n_daily']),
    sum_daily: num(r['sum_daily']),
    sum_squares_daily: num(r['sum_squares_daily']),
    n_cum: numOrNull(r['n_cum']),
    sum_cum: numOrNull(r['sum_cum']),
    sum_squares_cum: numOrNull(r['sum_squares_cum']),
    denominator_sum_daily: numOrNull(r['denominator_sum_daily']),
    denominator_sum_squares_daily: numOrNull(r['denominator_sum_squares_daily']),
    numerator_denominator_sum_daily: numOrNull(r['numerator_denominator_sum_daily']),
    denominator_sum_cum: numOrNull(r['denominator_sum_cum']),
    denominator_sum_squares_cum: numOrNull(r['denominator_sum_squares_cum']),
    numerator_denominator_sum_cum: numOrNull(r['numerator_denominator_sum_cum']),
  }));
}

/** The post-period statistics of an overall row. */
export function overallArm(row: OverallAggregate): ArmStats {
  return {
    n: row.n,
    sum: row.sum,
    sumSquares: row.sum_squares,
    denominatorSum: row.denominator_sum,
    denominatorSumSquares: row.denominator_sum_squares,
    numeratorDenominatorSum: row.numerator_denominator_sum,
    quantile: row.quantile_value === null || row.quantile_value === undefined || row.quantile_lower == null || row.quantile_upper == null
      ? null : { value: row.quantile_value, lower: row.quantile_lower, upper: row.quantile_upper },
  };
}

/** A day's own values (pre days: every user of the arm; post days: users exposed so far). */
export function dailyArm(row: DailyAggregate): ArmStats {
  return {
    n: row.n_daily,
    sum: row.sum_daily,
    sumSquares: row.sum_squares_daily,
    denominatorSum: row.denominator_sum_daily,
    denominatorSumSquares: row.denominator_sum_squares_daily,
    numeratorDenominatorSum: row.numerator_denominator_sum_daily,
  };
}

/** Each user's value accumulated to the end of a post day: the data of a look taken that day. */
export function cumulativeArm(row: DailyAggregate): ArmStats | undefined {
  if (row.period !== 'post' || row.n_cum === null) return undefined;
  return {
    n: row.n_cum,
    sum: row.sum_cum ?? 0,
    sumSquares: row.sum_squares_cum ?? 0,
    denominatorSum: row.denominator_sum_cum,
    denominatorSumSquares: row.denominator_sum_squares_cum,
    numeratorDenominatorSum: row.numerator_denominator_sum_cum,
  };
}

export const meanStats = (a: ArmStats): MeanStats => ({ n: a.n, sum: a.sum, sumSquares: a.sumSquares });

/** Binary per-user values: the sum is the number of users with the event. */
export const proportionStats = (a: ArmStats): ProportionStats => ({ n: a.n, successes: Math.round(a.sum) });

export const ratioStats = (a: ArmStats): RatioStats => ({
  n: a.n,
  numeratorSum: a.sum,
  numeratorSumSquares: a.sumSquares,
  denominatorSum: a.denominatorSum ?? 0,
  denominatorSumSquares: a.denominatorSumSquares ?? 0,
  numeratorDenominatorSum: a.numeratorDenominatorSum ?? 0,
});

/** Post value y and pre-period covariate x of every user. */
export const cupedStats = (row: OverallAggregate): CupedStats => ({
  n: row.n,
  sum: row.sum,
  sumSquares: row.sum_squares,
  preSum: row.pre_sum,
  preSumSquares: row.pre_sum_squares,
  sumPreProduct: row.sum_pre_product,
});

/** A ratio metric's parts in both periods (pre_sum is the pre-period numerator). */
export const ratioCupedStats = (row: OverallAggregate): RatioCupedStats => ({
  ...ratioStats(overallArm(row)),
  preNumeratorSum: row.pre_sum,
  preNumeratorSumSquares: row.pre_sum_squares,
  preDenominatorSum: row.pre_denominator_sum ?? 0,
  preDenominatorSumSquares: row.pre_denominator_sum_squares ?? 0,
  preNumeratorDenominatorSum: row.pre_numerator_denominator_sum ?? 0,
  numeratorPreNumeratorSum: row.sum_pre_product,
  denominatorPreDenominatorSum: row.denominator_pre_denominator_sum ?? 0,
  numeratorPreDenominatorSum: row.numerator_pre_denominator_sum ?? 0,
  denominatorPreNumeratorSum: row.denominator_pre_numerator_sum ?? 0,
});

/** Each user is a cluster with one pre-period and one post-period value. */
export const didStats = (row: OverallAggregate): DidStats => ({
  n: row.n,
  preSum: row.pre_sum,
  preSumSquares: row.pre_sum_squares,
  postSum: row.sum,
  postSumSquares: row.sum_squares,
  sumPrePost: row.sum_pre_product,
});

export const key = (metric: string, variant: string): string => `${metric}\u0000${variant}`;
