/**
 * The rows the memo and the report are made from, as the reader (read-results.ts) hands
 * them over: one experiment partition's rows of each table, plus what the build and the
 * ledger know. Plugin tables are read as loose rows (their columns belong to the plugins
 * in analyses/*.ts); the model tables the report draws from are typed here.
 */
import type { Row } from '../engine/connection.ts';
import type { StepResult } from '../core/results.ts';
import type { Experiment, MetricConfig } from '../project/types.ts';


export type { DailyAggregate, SrmCount } from '../analyses/model-rows.ts';
import type { DailyAggregate, SrmCount } from '../analyses/model-rows.ts';

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
