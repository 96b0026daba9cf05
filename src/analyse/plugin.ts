/**
 * The analysis plugin contract. A plugin is `analyses/<name>.ts` with a default export
 * made by `definePlugin`: it reads the partition's tables, calls the statistics, and
 * returns rows for the tables it declares. The runner discovers it, orders it after the
 * plugins it names, writes its rows as partitions (experiment_id added), records a
 * fingerprint, and skips it with `--skip-<name>`.
 */
import type { Row, SqlParams } from '../engine/connection.ts';
import type { Payloads } from '../ledger/events.ts';
import type { LookContext, LookInput, RecordLookResult } from '../ledger/looks.ts';
import type { Experiment, MetricConfig, ProjectConfig } from '../project/types.ts';

/** DuckDB column types a plugin may declare for its result tables. */
export type ColumnType = 'varchar' | 'double' | 'bigint' | 'integer' | 'boolean' | 'date' | 'timestamp' | 'json';
export type TableSpec = Readonly<Record<string, ColumnType>>;

/**
 * The experiment's ledger as a plugin sees it: its looks and its decision, bound to this
 * partition's experiment (a plugin cannot write another experiment's history).
 */
export interface PluginLedger {
  /** status, the looks taken so far, and the look already taken on this input snapshot */
  lookContext(): Promise<LookContext>;
  /** take the next look, unless this input snapshot took one or the experiment is not running */
  recordLook(look: LookInput): Promise<RecordLookResult>;
  /** record the verdict; the same decision at the same look is recorded once */
  recordDecision(decision: Payloads['decision']): Promise<void>;
}

export interface AnalysisContext {
  readonly experiment: Experiment;
  /** the experiment's metrics by name (primary, secondary, guardrails) */
  readonly metrics: Readonly<Record<string, MetricConfig>>;
  readonly project: ProjectConfig;
  /** the experiment's sequential looks and decision history */
  readonly ledger: PluginLedger;
  /**
   * Read-only SQL: one SELECT (WITH, VALUES, FROM-first and DESCRIBE are SELECTs too);
   * anything else, or several statements in one string, is refused with PLUGIN_INVALID
   * and fails the plugin. `$experiment_id` is bound to this partition when used.
   */
  query<T extends Row = Row>(sql: string, params?: SqlParams): Promise<T[]>;
  /** rows written by plugins that ran earlier in this build, by table name */
  readonly results: ReadonlyMap<string, readonly Row[]>;
  /** a note that ends up in the memo and the build output, never fails the run */
  warn(message: string): void;
}

export type PluginOutput = Readonly<Record<string, readonly Record<string, unknown>[]>>;

export interface AnalysisPlugin {
  readonly name: string;
  readonly description: string;
  /** models or plugin tables it reads: the lineage graph and the fingerprint use these */
  readonly reads: readonly string[];
  /**
   * The tables it writes, with their columns (experiment_id is added). Every table has one
   * owner: a table a model builds or another plugin writes is PLUGIN_INVALID at load.
   * A row key that is not a declared column fails the plugin; a declared column the row
   * leaves out is written as NULL.
   */
  readonly writes: Readonly<Record<string, TableSpec>>;
  /** plugins whose results it needs */
  readonly after?: readonly string[];
  /** a failure warns and continues instead of failing the build (pre-trends) */
  readonly optional?: boolean;
  /**
   * Seconds one run (one experiment) may take before it fails the build; default
   * `analyses.timeout_seconds` of the project config, else DEFAULT_PLUGIN_TIMEOUT_SECONDS.
   */
  readonly timeoutSeconds?: number;
  run(ctx: AnalysisContext): Promise<PluginOutput>;
}

export const DEFAULT_PLUGIN_TIMEOUT_SECONDS = 300;

/** Identity with type checking, so `analyses/*.ts` read as declarations. */
export function definePlugin(plugin: AnalysisPlugin): AnalysisPlugin {
  return plugin;
}
