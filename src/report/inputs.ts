/**
 * The rows the memo and the report are made from, as the reader (read-results.ts) hands
 * them over: one experiment partition's rows of each table, plus what the build and the
 * ledger know. Plugin tables are read as loose rows (their columns belong to the plugins
 * in analyses/*.ts); the model tables the report draws from are typed here.
 */
import type { Row } from '../engine/connection.ts';
import type { StepResult } from '../build/events.ts';
import type { Experiment, MetricConfig } from '../project/types.ts';

/** One row of exp.metric_aggregates_daily (models/metrics/metric_aggregates_daily.sql). */
export interface DailyAggregate {
  readonly variant: string;
  readonly metric: string;
  readonly metric_type: string;
  readonly day: string | null;
  readonly day_index: number;
  readonly period: 'pre' | 'post';
  readonly n_daily: number;
  readonly sum_daily: number;
  readonly sum_squares_daily: number;
  readonly n_cum: number | null;
  readonly sum_cum: number | null;
  readonly sum_squares_cum: number | null;
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

/** One row of exp.dq_results (models/checks/dq_results.sql). */
export interface DqResult {
  readonly check_name: string;
  readonly status: 'pass' | 'warn' | 'fail';
  readonly severity: string;
  readonly observed: number | null;
  readonly threshold: number | null;
  readonly details: string;
}

export interface Fingerprint {
  /** a model name or analysis:<plugin> */
  readonly node: string;
  readonly fingerprint: string;
}

/** What a memo is rendered from: everything is read once, after the analyses. */
export interface ReportInputs {
  readonly experiment: Experiment;
  readonly metrics: Readonly<Record<string, MetricConfig>>;
  /** exp.experiment_registry's row, when built (the design as the models saw it) */
  readonly registry?: Row;
  readonly daily: readonly DailyAggregate[];
  readonly srmCounts: readonly SrmCount[];
  readonly dq: readonly DqResult[];
  /** rows of each plugin table (analysis_results, decisions, …) by table name */
  readonly tables: Readonly<Record<string, readonly Row[]>>;
  /** which plugin writes each table, so a section knows whose step to look at */
  readonly writers: Readonly<Record<string, string>>;
  /** this build's step results for the experiment */
  readonly steps: readonly StepResult[];
  /** the ledger's config and input snapshot hashes, and the looks so far */
  readonly ledger: {
    readonly configHash?: string;
    readonly inputHash?: string;
    readonly inputObjects?: number;
    readonly inputBytes?: number;
  };
  readonly fingerprints: readonly Fingerprint[];
}
