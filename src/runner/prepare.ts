/**
 * Render and plan a build: snapshot the selected experiments' inputs, render every model
 * per partition, and compare fingerprints with those recorded in the warehouse.
 * Reads only; `--dry-run` stops here.
 */
import type { Project } from '../workspace/project.ts';
import type { Experiment, Stage } from '../project/types.ts';
import { selectModels } from '../graph/selectors.ts';
import { plan, type PartitionInput, type PlanStep } from '../plan/plan.ts';
import type { ReadonlyPartitionMap } from '../plan/partition-map.ts';
import { renderModels, type SourceFiles } from '../template/render-models.ts';
import type { RawStore } from '../storage/types.ts';
import { expectedSourceGlob, snapshotInputs, stageInputs, type InputSnapshot } from '../storage/inputs.ts';

export interface PrepareOptions {
  readonly experiments: readonly Experiment[];
  readonly models?: string;
  readonly exclude?: string;
  readonly fullRefresh: boolean;
  readonly skipStages: ReadonlySet<Stage>;
  /** stage remote inputs locally (false for dry runs: nothing is downloaded) */
  readonly stage: boolean;
  /** fingerprints recorded by earlier builds (platform-store.ts readStoredFingerprints) */
  readonly stored: ReadonlyPartitionMap<string>;
  readonly onStage?: (experimentId: string, done: number, total: number) => void;
  /** checks each snapshot before anything is downloaded; throwing stops the build (input-guard.ts) */
  readonly checkInputs?: (snapshot: InputSnapshot) => Promise<void>;
}

export interface PreparedBuild {
  readonly steps: readonly PlanStep[];
  readonly snapshots: ReadonlyMap<string, InputSnapshot>;
  readonly models: readonly string[];
}

export async function prepareBuild(project: Project, store: RawStore, opts: PrepareOptions): Promise<PreparedBuild> {
  const { dag, env, config } = project;
  const models = selectModels(dag, opts.models, opts.exclude);
  const partitionedModels = dag.order.filter((m) => dag.nodes.get(m)!.materialized === 'partitioned');
  const globalModels = dag.order.filter((m) => {
    const k = dag.nodes.get(m)!.materialized;
    return k === 'view' || k === 'table';
  });
  const snapshots = new Map<string, InputSnapshot>();
  const partitions: PartitionInput[] = [];
  const canMapLocally = store.uri.startsWith('file://');
  for (const experiment of opts.experiments) {
    const snapshot = await snapshotInputs(store, experiment.id);
    await opts.checkInputs?.(snapshot);
    snapshots.set(experiment.id, snapshot);
    let files: SourceFiles = new Map();
    if (snapshot.objects.length && (opts.stage || canMapLocally)) {
      files = await stageInputs(store, snapshot, opts.onStage ? (d, t) => opts.onStage!(experiment.id, d, t) : undefined);
    }
    const sql = renderModels(env, dag, config, experiment, partitionedModels, files, {
      // A dry run or compile may come before any data: show where the files will be read.
      sourceFallback: opts.stage ? undefined : (_s, table) => expectedSourceGlob(store, experiment.id, table),
    });
    partitions.push({ experimentId: experiment.id, sql, inputs: snapshot.hash });
  }
  const globalSql = renderModels(env, dag, config, undefined, globalModels, new Map());
  const steps = plan({
    dag,
    models,
    partitions,
    globalSql,
    stored: opts.stored,
    fullRefresh: opts.fullRefresh,
    skipStages: opts.skipStages,
  });
  return { steps, snapshots, models };
}

