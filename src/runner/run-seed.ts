/**
 * `xp seed`: load the project's seeds (seeds/*.csv) into the warehouse, as the first stage
 * of `xp build` does, without touching any experiment. A seed whose CSV is unchanged is
 * up to date (same fingerprint) unless `fullRefresh`; its data tests run on the new rows
 * before they replace the old ones.
 */
import type { Project } from '../workspace/project.ts';
import { openWarehouse } from '../state/open.ts';
import { ensurePlatformTables, readStoredFingerprints, recordRun } from '../engine/platform-store.ts';
import { plan, type PlanStep } from '../plan/plan.ts';
import { renderModels } from '../template/render-models.ts';
import { selectModels } from '../graph/selectors.ts';
import { applySteps } from './apply.ts';
import { dataTestAudits } from '../data-tests/audit.ts';
import { newRunId, writeRunResults, type RunResults, type StepResult } from '../core/results.ts';
import { targetDir } from '../core/paths.ts';
import { silentReporter, type Reporter } from '../core/events.ts';

export interface SeedOptions {
  /** a model selector among the seeds (default: every seed) */
  readonly select?: string;
  readonly fullRefresh?: boolean;
  readonly reporter?: Reporter;
}

export interface SeedOutcome {
  readonly seeds: readonly string[];
  readonly steps: readonly PlanStep[];
  readonly results: readonly StepResult[];
  readonly status: 'success' | 'error';
}

/** The names of the project's seeds, in DAG order. */
export function seedNames(project: Project): string[] {
  return project.dag.order.filter((m) => project.dag.nodes.get(m)!.seed !== undefined);
}

export async function runSeed(project: Project, opts: SeedOptions = {}): Promise<SeedOutcome> {
  const reporter = opts.reporter ?? silentReporter;
  const all = new Set(seedNames(project));
  const seeds = (opts.select ? selectModels(project.dag, opts.select) : [...all]).filter((m) => all.has(m));
  if (seeds.length === 0) return { seeds, steps: [], results: [], status: 'success' };
  const runId = newRunId();
  const startedAt = new Date();
  const db = await openWarehouse(project.config);
  try {
    await ensurePlatformTables(db);
    const steps = plan({
      dag: project.dag,
      models: seeds,
      partitions: [],
      globalSql: renderModels(project.env, project.dag, project.config, undefined, seeds, new Map()),
      stored: await readStoredFingerprints(db),
      fullRefresh: !!opts.fullRefresh,
      skipStages: new Set(),
    });
    reporter({ type: 'plan', steps, experiments: [], analyses: [], memo: false });
    const results = await applySteps(steps, { db, dag: project.dag, targetDir: targetDir(project.config), runId, reporter, auditFor: dataTestAudits(project, reporter) });
    const status = results.some((r) => r.status === 'error') ? 'error' : 'success';
    const finishedAt = new Date();
    const run: RunResults<StepResult> = {
      run_id: runId, command: 'xp seed', started_at: startedAt.toISOString(), finished_at: finishedAt.toISOString(),
      status, elapsed_seconds: (finishedAt.getTime() - startedAt.getTime()) / 1000, results,
    };
    await recordRun(db, run);
    writeRunResults(targetDir(project.config), run);
    return { seeds, steps, results, status };
  } finally {
    db.close();
  }
}
