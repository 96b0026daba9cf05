/**
 * Apply a plan: write each step's SQL to target/compiled, materialise it, and record a
 * result (success / error / skipped) for every step, so a failure never hides what
 * succeeded. Within an experiment a failed model skips its descendants; other
 * experiments go on. After a partition's dq_results is built, the checks that warned or
 * failed are reported (they fail no step: the decision reads them).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { XpError } from '../core/errors.ts';
import type { Db } from '../engine/connection.ts';
import { MODEL_SCHEMA } from '../engine/platform-store.ts';
import { relation } from '../engine/sql.ts';
import { materializers } from '../engine/materialize/index.ts';
import { descendants, type Dag } from '../graph/dag.ts';
import type { PlanStep } from '../plan/plan.ts';
import { PartitionMap } from '../plan/partition-map.ts';
import type { DqFinding, Reporter } from '../core/events.ts';
import type { StepResult } from '../core/results.ts';
import { commitStage, type StageLedger } from '../ledger/build-session.ts';
import { deferCommits, restorePartition } from '../engine/scratch/scratch-db.ts';

export function compiledPath(targetDir: string, step: Pick<PlanStep, 'experimentId' | 'model'>): string {
  return path.join(targetDir, 'compiled', step.experimentId ?? '_project', `${step.model}.sql`);
}

export function writeCompiled(targetDir: string, step: PlanStep): string {
  const file = compiledPath(targetDir, step);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `-- ${step.model} · ${step.experimentId ?? 'project'} · ${step.materialized}\n${step.sql}\n`);
  return file;
}

/** Turn a DuckDB failure into an error that names the model, the experiment and the SQL file. */
export function modelError(step: PlanStep, compiledFile: string, cause: unknown): XpError {
  if (cause instanceof XpError) return cause;
  const msg = (cause instanceof Error ? cause.message : String(cause)).split('\n')[0]!;
  const rawFile = /(?:file|File) ["']?([^"'\s]+\.parquet)/.exec(msg)?.[1];
  if (rawFile && /magic bytes|not a parquet|corrupt|Invalid|No such file|IO Error/i.test(msg)) {
    return new XpError('RAW_DATA_CORRUPT', `cannot read raw file ${rawFile}: ${msg}`, {
      location: { model: step.model, experiment: step.experimentId ?? undefined, object: rawFile },
      hint: 'replace or remove the damaged file (regenerate with `xp generate`), then rebuild; the previous partition is intact',
      cause,
    });
  }
  return new XpError('MODEL_FAILED', `model ${step.model} failed: ${msg}`, {
    location: { file: compiledFile, model: step.model, experiment: step.experimentId ?? undefined },
    hint: 'read the compiled SQL at that path; the previous partition is intact',
    cause,
  });
}

/** The data-quality model (models/checks/dq_results.sql): one row per check, status pass / warn / fail. */
export const DQ_MODEL = 'dq_results';

/** The checks of a partition's dq_results that did not pass, failures first. */
export async function dqFindings(db: Db, experimentId: string): Promise<DqFinding[]> {
  const rows = await db.all<{ check_name: string; status: string; details: string | null }>(
    `select check_name, status, details from ${relation(MODEL_SCHEMA, DQ_MODEL)} where experiment_id = $1 and status in ('warn', 'fail') order by status, check_name`,
    [experimentId],
  );
  return rows.map((r) => ({ check: r.check_name, status: r.status === 'fail' ? 'fail' : 'warn', details: r.details ?? '' }));
}

async function reportDq(step: PlanStep, opts: ApplyOptions): Promise<void> {
  if (step.model !== DQ_MODEL || !step.experimentId) return;
  try {
    const findings = await dqFindings(opts.db, step.experimentId);
    if (findings.length) opts.reporter({ type: 'dq', experimentId: step.experimentId, findings });
  } catch (cause) {
    // a project's own dq_results without these columns: say so, the build goes on
    opts.reporter({ type: 'warning', experimentId: step.experimentId, message: `cannot read the data-quality results of ${DQ_MODEL}: ${cause instanceof Error ? cause.message.split('\n')[0] : String(cause)}` });
  }
}

export interface ApplyOptions {
  readonly db: Db;
  /** runs a project-level step (it reads every experiment's partitions) where those live: the warehouse */
  readonly projectLevel?: <T>(model: string, fn: (db: Db) => Promise<T>) => Promise<T>;
  readonly dag: Dag;
  readonly targetDir: string;
  readonly runId: string;
  readonly reporter: Reporter;
  /** data tests to run on a step's new rows before they replace the old ones */
  readonly auditFor?: (step: PlanStep) => ((db: Db, relation: string) => Promise<void>) | undefined;
  /** records each partition's stage_finished in the experiment ledger, in the step's own transaction */
  readonly ledger?: StageLedger;
}

/** Consecutive steps of one stage (ingest, dq, metrics): the build commits each run of them at once. */
function byStage(steps: readonly PlanStep[]): PlanStep[][] {
  const runs: PlanStep[][] = [];
  for (const step of steps) {
    const last = runs.at(-1);
    if (last && last[0]!.stage === step.stage) last.push(step);
    else runs.push([step]);
  }
  return runs;
}

export async function applySteps(steps: readonly PlanStep[], opts: ApplyOptions): Promise<StepResult[]> {
  const results: StepResult[] = [];
  const blocked = new PartitionMap<string>(); // partition → the failed ancestor that blocks it
  // A build's scratch commits to the warehouse once per stage, not once per model: each
  // commit holds the warehouse file in a section of its own (attach, write, checkpoint on
  // detach: ~50 ms even for a few rows), and the ledger says which stages committed.
  for (const run of byStage(steps)) await deferCommits(opts.db, () => applyRun(run, opts, results, blocked));
  return results;
}

async function applyRun(steps: readonly PlanStep[], opts: ApplyOptions, results: StepResult[], blocked: PartitionMap<string>): Promise<void> {
  for (const step of steps) {
    const base = { experimentId: step.experimentId, node: step.model, stage: step.stage, fingerprint: step.fingerprint };
    // a partition also waits on a failed project-level ancestor; a project-level model
    // (it reads every partition) waits on every partition's failures
    const blocker = blocked.get(step) ?? (step.experimentId
      ? blocked.get({ model: step.model, experimentId: null })
      : [...blocked.ofModel(step.model).values()][0]);
    let result: StepResult;
    if (step.reason === 'ephemeral') {
      // inlined into its children, never run: not a step of the build even below a failure
      // (its children are blocked themselves); `upstream` says what failed above it
      result = { ...base, status: 'skipped', reason: 'ephemeral', ...(blocker ? { upstream: blocker } : {}), seconds: 0 };
    } else if (blocker) {
      result = { ...base, status: 'skipped', reason: 'upstream-failed', upstream: blocker, seconds: 0 };
      // the scratch left out its previous rows, expecting this rebuild: they come back
      if (step.action === 'build') await restorePartition(opts.db, step);
    } else if (step.action === 'skip') {
      result = { ...base, status: 'skipped', reason: step.reason, seconds: 0 };
    } else {
      opts.reporter({ type: 'step-start', experimentId: step.experimentId, node: step.model, stage: step.stage });
      const file = writeCompiled(opts.targetDir, step);
      const started = performance.now();
      const audit = opts.auditFor?.(step);
      let auditSeconds = 0;
      try {
        const apply = (on: Db): Promise<number> => commitStage(opts.ledger, on, step, (db) => materializers[step.materialized].build(db, {
          model: step.model,
          sql: step.sql,
          experimentId: step.experimentId,
          fingerprint: step.fingerprint,
          runId: opts.runId,
          audit: audit && (async (tx, rel) => {
            const t = performance.now();
            try {
              await audit(tx, rel);
            } finally {
              auditSeconds += (performance.now() - t) / 1000;
            }
          }),
        }));
        const rows = step.experimentId === null && opts.projectLevel ? await opts.projectLevel(step.model, apply) : await apply(opts.db);
        result = { ...base, status: 'success', reason: step.reason, rows, seconds: (performance.now() - started) / 1000, ...(audit ? { auditSeconds } : {}) };
      } catch (cause) {
        const err = modelError(step, file, cause);
        await restorePartition(opts.db, step);
        result = { ...base, status: 'error', seconds: (performance.now() - started) / 1000, message: err.message, code: err.code, file };
        for (const d of descendants(opts.dag, step.model)) {
          // a failed project-level model blocks every partition's descendants
          blocked.set({ model: d, experimentId: step.experimentId }, step.model);
        }
      }
    }
    results.push(result);
    opts.reporter({ type: 'step-end', result });
    if (result.status === 'success') await reportDq(step, opts);
  }
}
