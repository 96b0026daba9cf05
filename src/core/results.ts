/**
 * What each step of a run reports, and the run_results.json envelope (dbt's
 * artifacts/schemas/results.py sits below the tasks that use it, as this does).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** How a model is built (src/engine/materialize). */
export const MATERIALIZATIONS = ['view', 'table', 'ephemeral', 'partitioned'] as const;
export type Materialization = (typeof MATERIALIZATIONS)[number];

/** The model stages of a build, each skippable with --skip. */
export const STAGES = ['ingest', 'dq', 'metrics'] as const;
export type Stage = (typeof STAGES)[number];

/** A node of the build: a model name, `analysis:<plugin>`, or `memo`. */
export type NodeId = string;

export type StepStatus = 'success' | 'error' | 'skipped';

/** Why the planner builds or skips a model step (src/plan). */
export type PlanReason =
  | 'new' // never built
  | 'stale' // fingerprint changed
  | 'full-refresh' // forced
  | 'fresh' // fingerprint unchanged
  | 'flag' // its stage was skipped with --skip
  | 'ephemeral'; // inlined into its children, never built

/** Why a step ended as it did: a plan reason, or a reason found while applying the plan. */
export type StepReason =
  | PlanReason
  | 'upstream-failed' // `upstream` failed or was blocked
  | 'upstream-skipped' // `upstream` was skipped by a flag
  | 'optional-failed' // an optional stage failed: `message` says how; the build went on
  | 'published' // a partition written to the lake for the first time
  | 'republished'; // a partition rewritten in the lake

/** One step of the plan: build or skip one model for one partition, and why (src/plan). */
export interface PlanStep {
  /** null for project-level (view/table) models */
  readonly experimentId: string | null;
  readonly model: string;
  readonly materialized: Materialization;
  readonly stage: Stage;
  readonly action: 'build' | 'skip';
  readonly reason: PlanReason;
  readonly fingerprint: string;
  readonly sql: string;
}

/** Reasons that mean "nothing to do", not "left out". */
export const CURRENT_REASONS: ReadonlySet<StepReason> = new Set(['fresh', 'ephemeral']);

export interface StepResult {
  readonly experimentId: string | null;
  readonly node: NodeId;
  readonly stage: string;
  readonly status: StepStatus;
  readonly reason?: StepReason;
  /** the node that blocked this one, with reason upstream-failed / upstream-skipped */
  readonly upstream?: NodeId;
  readonly rows?: number;
  readonly seconds: number;
  /** of `seconds`, the time its data tests took as audits of the new rows (models with tests) */
  readonly auditSeconds?: number;
  readonly fingerprint?: string;
  /** the error, or how an optional stage failed */
  readonly message?: string;
  readonly code?: string;
  /** the step's compiled SQL, for a failed model: where to read what ran */
  readonly file?: string;
}

/** A step's reason as the console and the memo word it: "upstream exposures failed". */
export function reasonText(r: Pick<StepResult, 'reason' | 'upstream' | 'message'>): string {
  switch (r.reason) {
    case 'upstream-failed': return `upstream ${r.upstream ?? '?'} failed`;
    case 'upstream-skipped': return `upstream ${r.upstream ?? '?'} skipped`;
    case 'optional-failed': return `optional stage failed: ${r.message ?? ''}`;
    case undefined: return '';
    default: return r.reason;
  }
}

/** target/run_results.json of a build (R = StepResult) or a test run (R = TestResult). */
export interface RunResults<R> {
  readonly run_id: string;
  readonly command: string;
  readonly started_at: string;
  readonly finished_at: string;
  readonly status: 'success' | 'error';
  readonly elapsed_seconds: number;
  readonly results: readonly R[];
}

export function newRunId(now = new Date()): string {
  return `${now.toISOString().replace(/[-:.]/g, '').slice(0, 15)}-${process.pid}`;
}

/** Write the envelope; `kind` marks a test run ("test") apart from a build (absent). */
export function writeRunResults<R>(targetDir: string, run: RunResults<R>, kind?: 'test'): string {
  const file = path.join(targetDir, 'run_results.json');
  mkdirSync(targetDir, { recursive: true });
  writeFileSync(file, JSON.stringify(kind ? { kind, ...run } : run, null, 2) + '\n');
  return file;
}
