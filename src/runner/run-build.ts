/**
 * `xp build`: select → (generate) → snapshot & render → plan → materialise → analyse →
 * record. Returns data; printing is the CLI's job.
 */
import { existsSync } from 'node:fs';
import type { Project } from '../workspace/project.ts';
import type { Experiment, Stage } from '../project/types.ts';
import { selectExperiments } from '../graph/selectors.ts';
import { openWarehouse } from '../state/open.ts';
import { ensurePlatformTables, readStoredFingerprints, recordRun } from '../engine/platform-store.ts';
import { openRawStore } from '../storage/open-store.ts';
import { isLocalFolder } from '../storage/types.ts';
import { storedByKey, type PlanStep } from '../plan/plan.ts';
import { PartitionMap, type ReadonlyPartitionMap } from '../plan/partition-map.ts';
import { prepareBuild, type PreparedBuild } from './prepare.ts';
import { probeUpToDate } from './up-to-date.ts';
import type { Db } from '../engine/connection.ts';
import { openBuildDb } from './build-db.ts';
import { applySteps } from './apply.ts';
import { newRunId, writeRunResults, type RunResults } from '../core/results.ts';
import { targetDir, warehousePath } from '../core/paths.ts';
import { silentReporter, type Reporter } from '../core/events.ts';
import { type StepResult } from '../core/results.ts';
import { generateForExperiments } from './generate.ts';
import { ensureBuildData, inWarehouse } from '../engine/scratch/scratch-db.ts';
import { runAnalyses, type ModelState } from '../analyse/run-analyses.ts';
import { guardBuild, openBuildLedger, type BuildLedger } from '../ledger/build-session.ts';
import { trackBuildProgress } from '../ledger/progress.ts';
import { dataTestAudits } from '../data-tests/audit.ts';
import { inputGuard } from './input-guard.ts';
import { publishResults } from '../publish/publish-build.ts';
import { runMemoStage } from '../report/memo-stage.ts';
import { noModelsError } from '../project/locate-project.ts';
import { loadTemplates } from '../report/templates.ts';

/** Each model's state for one partition after the model steps, for the analyses that read them. */
export function modelStates(
  project: Project,
  steps: readonly PlanStep[],
  results: readonly StepResult[],
  stored: ReadonlyPartitionMap<string>,
  experimentId: string,
): Map<string, ModelState> {
  const states = new Map<string, ModelState>();
  // indexed once: a build of 300 experiments has 4,800 steps, looked up per experiment
  const key = (node: string, id: string | null): string => `${node}\u0000${id ?? ''}`;
  const relevant = (id: string | null): boolean => id === null || id === experimentId;
  const stepOf = new Map(steps.filter((s) => relevant(s.experimentId)).map((s) => [key(s.model, s.experimentId), s]));
  const resultOf = new Map<string, StepResult>();
  for (const r of results) if (relevant(r.experimentId) && !resultOf.has(key(r.node, r.experimentId))) resultOf.set(key(r.node, r.experimentId), r);
  for (const name of project.dag.order) {
    const node = project.dag.nodes.get(name)!;
    const partition = node.materialized === 'partitioned' ? experimentId : null;
    const step = stepOf.get(key(name, node.materialized === 'ephemeral' ? null : partition));
    const result = resultOf.get(key(name, node.materialized === 'ephemeral' ? null : partition));
    if (!step) {
      const fp = stored.get({ model: name, experimentId: partition });
      states.set(name, { fingerprint: fp ?? '', state: fp ? 'ok' : 'skipped' });
      continue;
    }
    const state: ModelState['state'] =
      result?.status === 'error' || result?.reason === 'upstream-failed' ? 'failed'
      : result?.reason === 'flag' ? 'skipped'
      : 'ok';
    states.set(name, { fingerprint: step.fingerprint, state });
  }
  return states;
}

export interface BuildOptions {
  readonly select: string;
  readonly models?: string;
  readonly exclude?: string;
  readonly fullRefresh?: boolean;
  readonly dryRun?: boolean;
  readonly generateSynth?: boolean;
  /** stage names to skip: dq, metrics, ab, cuped, did, pretrends, … */
  readonly skip?: ReadonlySet<string>;
  readonly reporter?: Reporter;
  readonly command?: string;
  /** rebuild completed, stopped or cancelled experiments (src/ledger) */
  readonly force?: boolean;
  /** record a design change of a running experiment instead of refusing it (src/ledger) */
  readonly acceptConfigChange?: boolean;
  /** build from raw objects that changed under existing results instead of refusing (input-guard.ts) */
  readonly acceptInputChange?: boolean;
}

export interface BuildOutcome {
  readonly runId: string;
  readonly dryRun: boolean;
  readonly experiments: readonly string[];
  readonly steps: readonly PlanStep[];
  readonly results: readonly StepResult[];
  readonly status: 'success' | 'error';
  readonly runResultsPath?: string;
}

const MODEL_STAGES: readonly Stage[] = ['ingest', 'dq', 'metrics'];

/** What each experiment runs after its models, for the plan event's step count. */
function afterModels(project: Project): { analyses: string[]; memo: boolean } {
  return { analyses: project.plugins.map((p) => p.plugin.name), memo: loadTemplates(project.config.root) !== undefined };
}

export async function runBuild(project: Project, opts: BuildOptions): Promise<BuildOutcome> {
  // Before anything is written: a project without models is the wrong folder, not an empty build.
  if (project.dag.nodes.size === 0) throw noModelsError(project.config.root, project.config.file);
  const reporter = trackBuildProgress(targetDir(project.config), opts.reporter ?? silentReporter, { dryRun: opts.dryRun, command: opts.command });
  const runId = newRunId();
  const startedAt = new Date();
  const ids = selectExperiments(project.config.experiments.map((e) => e.id), opts.select);
  const experiments: Experiment[] = ids.map((id) => project.config.experiments.find((e) => e.id === id)!);
  const skipStages = new Set(MODEL_STAGES.filter((s) => opts.skip?.has(s)));
  // opened before the locks: a store that fails to open (no credentials) must not leave them held
  const store = await openRawStore(project.config);
  const guard = opts.dryRun ? undefined : guardBuild(targetDir(project.config), ids, opts.command ?? 'xp build', reporter);
  try {
    if (opts.generateSynth && !opts.dryRun) {
      await generateForExperiments(project, store, experiments, reporter);
    }
    const whPath = warehousePath(project.config);
    if (opts.dryRun) {
      let stored = new PartitionMap<string>();
      if (existsSync(whPath)) {
        const ro = await openWarehouse(project.config, { readOnly: true });
        try {
          stored = await readStoredFingerprints(ro);
        } finally {
          ro.close();
        }
      }
      const prepared = await prepareBuild(project, store, {
        experiments, models: opts.models, exclude: opts.exclude, fullRefresh: !!opts.fullRefresh, skipStages, stage: false, stored,
      });
      reporter({ type: 'plan', steps: prepared.steps, experiments: ids, ...afterModels(project) });
      return { runId, dryRun: true, experiments: ids, steps: prepared.steps, results: [], status: 'success' };
    }

    // warnings the probe's ledger already gave are not given twice when the scratch opens it again
    const warned = new Set<string>();
    const once: Reporter = (e) => {
      if (e.type === 'warning' && warned.has(e.message)) return;
      if (e.type === 'warning') warned.add(e.message);
      reporter(e);
    };
    const openLedger = (db: Db): Promise<BuildLedger> => openBuildLedger(db, project, experiments, {
      runId, command: opts.command, force: opts.force, acceptConfigChange: opts.acceptConfigChange, fullRefresh: opts.fullRefresh, reporter: once,
    });
    const prepare = (ledger: BuildLedger, stored: ReadonlyPartitionMap<string>): Promise<PreparedBuild> => {
      const withResults = new Set([...stored].map(([key]) => key.experimentId));
      return prepareBuild(project, store, {
        experiments: ledger.experiments, models: opts.models, exclude: opts.exclude, fullRefresh: !!opts.fullRefresh, skipStages, stage: true, stored,
        onStage: (experimentId, done, total) => reporter({ type: 'phase', experimentId, phase: 'stage inputs', detail: `${done}/${total}` }),
        recordedInput: (id) => ledger.state(id).input?.hash,
        checkInputs: inputGuard({ previous: (id) => ledger.state(id).input?.objects, hasResults: (id) => withResults.has(id) }, { accept: !!opts.acceptInputChange, storeUri: store.uri, reporter }),
      });
    };
    // planned on the warehouse first: a build that finds everything fresh needs no scratch (up-to-date.ts)
    const probe = await probeUpToDate(project, { fullRefresh: !!opts.fullRefresh, localInputs: isLocalFolder(store) }, { openLedger, prepare });
    // the build's private scratch, committing each stage to the warehouse (src/runner/build-db.ts)
    const db = probe.upToDate?.db ?? await openBuildDb(project, ids, runId);
    try {
      await ensurePlatformTables(db);
      const ledger = probe.upToDate?.ledger ?? await openLedger(db);
      const stored = probe.upToDate?.stored ?? await readStoredFingerprints(db);
      const prepared = probe.reuse(ledger, stored) ?? await prepare(ledger, stored);
      reporter({ type: 'plan', steps: prepared.steps, experiments: ledger.experiments.map((e) => e.id), ...afterModels(project) });
      await ledger.started(prepared.snapshots);
      // nothing to build: no data copied into the scratch, no data tests loaded
      const building = prepared.steps.some((s) => s.action === 'build');
      // the partitions the plan rebuilds are not copied in: they are replaced before anything reads them
      if (building) await ensureBuildData(db, prepared.steps.filter((s) => s.action === 'build' && s.materialized === 'partitioned' && s.experimentId !== null).map((s) => ({ model: s.model, experimentId: s.experimentId })));
      const auditFor = building ? dataTestAudits(project, reporter) : () => undefined;
      const results = await applySteps(prepared.steps, { db, projectLevel: (model, fn) => inWarehouse(db, model, fn), dag: project.dag, targetDir: targetDir(project.config), runId, reporter, auditFor, ledger: ledger.stages });
      const storedNodes = storedByKey(stored);
      for (const experiment of ledger.experiments) {
        const analysed = await runAnalyses({
          db, project: project.config, plugins: project.plugins, experiment,
          models: modelStates(project, prepared.steps, results, stored, experiment.id),
          skip: opts.skip ?? new Set(), fullRefresh: !!opts.fullRefresh, stored: storedNodes, runId, reporter,
          status: ledger.state(experiment.id).status,
        });
        results.push(...analysed);
        const own = results.filter((r) => r.experimentId === experiment.id);
        results.push(...(await runMemoStage({ db, project: project.config, plugins: project.plugins, experiment, results: own, skip: opts.skip ?? new Set(), fullRefresh: !!opts.fullRefresh, runId, reporter, ledger: ledger.state(experiment.id) })));
      }
      await ledger.finished(results);
      results.push(...(await publishResults(project, db, ledger.experiments, { runId, results, reporter })));
      const status = results.some((r) => r.status === 'error') ? 'error' : 'success';
      const finishedAt = new Date();
      const run: RunResults<StepResult> = {
        run_id: runId,
        command: opts.command ?? `xp build --select ${opts.select}`,
        started_at: startedAt.toISOString(),
        finished_at: finishedAt.toISOString(),
        status,
        elapsed_seconds: (finishedAt.getTime() - startedAt.getTime()) / 1000,
        results,
      };
      await recordRun(db, run);
      const runResultsPath = writeRunResults(targetDir(project.config), run);
      return { runId, dryRun: false, experiments: ids, steps: prepared.steps, results, status, runResultsPath };
    } finally {
      db.close();
    }
  } finally {
    guard?.release();
    await store.close?.();
  }
}
