/**
 * The rows the memo and the report are made from, as the reader (read-inputs.ts) hands
 * them over: one experiment partition's rows of each table, plus what the build and the
 * ledger know. Plugin tables arrive as the results contract's rows (analyses/tables.ts),
 * model tables as their row types (analyses/model-rows.ts and below).
 */
import type { StepResult } from '../core/results.ts';
import type { Experiment, MetricConfig } from '../project/types.ts';
import type {
  AbRow, CupedRow, DecisionRow, DidRow, PretrendTestRow, SequentialRow, SrmRow,
} from '../analyses/tables.ts';
import type { SliceRow, SrmDebugRow } from '../analyses/tables.ts';

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
  /** 'rate' (observed and threshold are shares) or 'count'; absent in older dq_results models */
  readonly unit?: string | null;
}

/** The columns of exp.experiment_registry (models/core/experiment_registry.sql) the memo shows. */
export interface RegistryRow {
  readonly name?: string | null;
  readonly description?: string | null;
  readonly hypothesis?: string | null;
  readonly owner?: string | null;
}

export interface Fingerprint {
  /** a model name or analysis:<plugin> */
  readonly node: string;
  readonly fingerprint: string;
}

/** The plugin tables the memo and the report show, by table name (no rows when no plugin writes one). */
export interface ReportTables {
  readonly analysis_results: readonly AbRow[];
  readonly analysis_results_cuped: readonly CupedRow[];
  readonly did_results: readonly DidRow[];
  readonly did_pretrend_tests: readonly PretrendTestRow[];
  readonly srm_results: readonly SrmRow[];
  readonly sequential_looks: readonly SequentialRow[];
  readonly decisions: readonly DecisionRow[];
}

export type ReportTable = keyof ReportTables;

/** What a memo is rendered from: everything is read once, after the analyses. */
export interface ReportInputs {
  readonly experiment: Experiment;
  readonly metrics: Readonly<Record<string, MetricConfig>>;
  /** exp.experiment_registry's row, when built (the design as the models saw it) */
  readonly registry?: RegistryRow;
  readonly daily: readonly DailyAggregate[];
  readonly srmCounts: readonly SrmCount[];
  /** the SRM debugger's levels (srm_debug_results), ranked; absent when no plugin writes them */
  readonly srmDebug?: readonly SrmDebugRow[];
  /** the dimension slices (slices plugin's slice_results); absent when no plugin writes them */
  readonly slices?: readonly SliceRow[];
  readonly dq: readonly DqResult[];
  readonly tables: ReportTables;
  /** which plugin writes each table, so a section knows whose step to look at */
  readonly writers: Readonly<Record<string, string>>;
  /** this build's step results for the experiment */
  readonly steps: readonly StepResult[];
  /** the ledger's lifecycle status, config and input snapshot hashes */
  readonly ledger: {
    /** draft, running, paused, completed, stopped, cancelled; absent without a ledger */
    readonly status?: string;
    readonly configHash?: string;
    readonly inputHash?: string;
    readonly inputObjects?: number;
    readonly inputBytes?: number;
  };
  readonly fingerprints: readonly Fingerprint[];
  /** `xp overlaps` over this experiment's pairs, only when its window overlaps another's */
  readonly overlaps?: MemoOverlaps;
}

/** The memo's "Overlapping experiments": one line per pair, and the flagged pairs' findings. */
export interface MemoOverlaps {
  readonly pairs: readonly string[];
  readonly findings: readonly string[];
  /** false: too many partners, the pairs were not read */
  readonly tested: boolean;
}
