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
import { isLocalFolder, type RawStore } from '../storage/types.ts';
import { expectedSourceGlob, snapshotInputs, stageInputs, type InputSnapshot } from '../storage/inputs.ts';
import { checkDimensionColumns } from '../storage/raw-schema.ts';
import { tableOfKey } from '../storage/types.ts';
import { saveParseCache } from '../core/parse-cache.ts';
import { renderCache } from './render-cache.ts';

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
  /** the input snapshot hash the ledger recorded for an experiment: its files' schemas were checked then */
  readonly recordedInput?: (experimentId: string) => string | undefined;
  /** also render every ephemeral model on its own (`xp compile` writes them to target/compiled) */
  readonly compileEphemeral?: boolean;
}

/** An ephemeral model's SQL as it is inlined into a partition's models (experimentId) or the project's (null). */
export interface CompiledEphemeral {
  readonly experimentId: string | null;
  readonly model: string;
  readonly sql: string;
}

export interface PreparedBuild {
  readonly steps: readonly PlanStep[];
  readonly snapshots: ReadonlyMap<string, InputSnapshot>;
  readonly models: readonly string[];
  /** with `compileEphemeral`: each ephemeral model per partition, and for the project where a view or table inlines it */
  readonly ephemeral: readonly CompiledEphemeral[];
}

/** Ephemeral models only project-level (view, table) models inline: rendering them per partition would show SQL nothing runs. */
function projectOnlyEphemeral(dag: Project['dag']): Set<string> {
  const users = (m: string, seen = new Set<string>()): string[] => (dag.children.get(m) ?? []).flatMap((c) => {
    if (seen.has(c)) return [];
    seen.add(c);
    return dag.nodes.get(c)!.materialized === 'ephemeral' ? users(c, seen) : [dag.nodes.get(c)!.materialized];
  });
  return new Set(dag.order.filter((m) => {
    if (dag.nodes.get(m)!.materialized !== 'ephemeral') return false;
    const kinds = users(m);
    return kinds.length > 0 && !kinds.includes('partitioned');
  }));
}

export async function prepareBuild(project: Project, store: RawStore, opts: PrepareOptions): Promise<PreparedBuild> {
  const { dag, env, config } = project;
  const models = selectModels(dag, opts.models, opts.exclude);
  const partitionedModels = dag.order.filter((m) => dag.nodes.get(m)!.materialized === 'partitioned');
  const globalModels = dag.order.filter((m) => {
    const k = dag.nodes.get(m)!.materialized;
    return k === 'view' || k === 'table';
  });
  const ephemeralModels = dag.order.filter((m) => dag.nodes.get(m)!.materialized === 'ephemeral');
  const projectOnly = projectOnlyEphemeral(dag);
  const ephemeralInPartitions = opts.compileEphemeral ? ephemeralModels.filter((m) => !projectOnly.has(m)) : [];
  const ephemeral: CompiledEphemeral[] = [];
  const snapshots = new Map<string, InputSnapshot>();
  const partitions: PartitionInput[] = [];
  const canMapLocally = isLocalFolder(store);
  const rendered = opts.stage ? renderCache(env, dag, config) : undefined;
  for (const experiment of opts.experiments) {
    const snapshot = await snapshotInputs(store, experiment.id);
    await opts.checkInputs?.(snapshot);
    snapshots.set(experiment.id, snapshot);
    let files: SourceFiles = new Map();
    if (snapshot.objects.length && (opts.stage || canMapLocally)) {
      files = await stageInputs(store, snapshot, opts.onStage ? (d, t) => opts.onStage!(experiment.id, d, t) : undefined, opts.recordedInput?.(experiment.id) === snapshot.hash);
      if (opts.stage && experiment.dimensions?.length) {
        const paths = files.get('raw.exposures') ?? [];
        const keys = snapshot.objects.filter((o) => tableOfKey(experiment.id, o.key) === 'exposures').map((o) => o.key);
        // stageInputs keeps the snapshot's order within a table: the i-th path is the i-th key
        await checkDimensionColumns(experiment.id, experiment.dimensions, paths.map((path, i) => ({ path, key: keys[i] ?? path })));
      }
    }
    const names = [...partitionedModels, ...ephemeralInPartitions];
    // a build renders from its staged files, remembered from the last build (render-cache.ts)
    const sql = rendered ? rendered.render(experiment, names, files) : renderModels(env, dag, config, experiment, names, files, {
      // A dry run or compile may come before any data: show where the files will be read.
      sourceFallback: (_s, table) => expectedSourceGlob(store, experiment.id, table),
    });
    for (const m of ephemeralInPartitions) ephemeral.push({ experimentId: experiment.id, model: m, sql: sql.get(m)! });
    partitions.push({ experimentId: experiment.id, sql, inputs: snapshot.hash });
  }
  const globalSql = renderModels(env, dag, config, undefined, globalModels, new Map());
  if (opts.compileEphemeral) {
    for (const m of ephemeralModels) if (globalSql.has(m)) ephemeral.push({ experimentId: null, model: m, sql: globalSql.get(m)! });
  }
  const steps = plan({
    dag,
    models,
    partitions,
    globalSql,
    stored: opts.stored,
    fullRefresh: opts.fullRefresh,
    skipStages: opts.skipStages,
  });
  // what loading and rendering parsed for the first time (src/core/parse-cache.ts); a dry
  // run or compile writes nothing to target/ beyond what it is asked for
  if (opts.stage) saveParseCache();
  return { steps, snapshots, models, ephemeral };
}

