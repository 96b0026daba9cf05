/**
 * The build plan, computed without touching DuckDB (changesets' assembleReleasePlan,
 * SQLMesh's plan builder): for every selected experiment × model, build or skip and why.
 * `--dry-run` prints it; the materialiser applies it.
 */
import { ancestors, type Dag } from '../graph/dag.ts';
import type { PlanStep } from '../core/results.ts';
import { sha256 } from '../core/hash.ts';
import { modelFingerprint } from './fingerprint.ts';
import { PartitionMap, type ReadonlyPartitionMap } from './partition-map.ts';

export type { PlanStep } from '../core/results.ts';

export interface PartitionInput {
  readonly experimentId: string;
  /** model → rendered SQL for this partition */
  readonly sql: ReadonlyMap<string, string>;
  /** hash of the partition's raw objects */
  readonly inputs: string;
}

export interface PlanInput {
  readonly dag: Dag;
  /** models to build, in DAG order */
  readonly models: readonly string[];
  readonly partitions: readonly PartitionInput[];
  /** project-level models' rendered SQL (view/table), rendered once */
  readonly globalSql: ReadonlyMap<string, string>;
  /** fingerprints recorded by earlier builds (xp.partitions) */
  readonly stored: ReadonlyPartitionMap<string>;
  readonly fullRefresh: boolean;
  readonly skipStages: ReadonlySet<PlanStep['stage']>;
}

/**
 * @deprecated The string key src/analyse/run-analyses.ts still looks fingerprints up by,
 * in the map `storedByKey` gives it. Remove both once it takes a ReadonlyPartitionMap.
 */
export const storedKey = (model: string, experimentId: string | null): string => `${model}\u0000${experimentId ?? ''}`;

/** @deprecated See storedKey. */
export function storedByKey(stored: ReadonlyPartitionMap<string>): ReadonlyMap<string, string> {
  return new Map([...stored].map(([k, fp]) => [storedKey(k.model, k.experimentId), fp]));
}

/** One upstream partition's line in a project-level model's fingerprint (the format is part of every recorded fingerprint). */
const partitionLine = (model: string, experimentId: string, fingerprint: string): string => `${model}\u0000${experimentId}=${fingerprint}`;

function fingerprintsFor(input: PlanInput, sqlOf: (model: string) => string, inputs: string): Map<string, string> {
  const fps = new Map<string, string>();
  for (const name of input.dag.order) {
    const node = input.dag.nodes.get(name)!;
    fps.set(
      name,
      modelFingerprint({
        sql: sqlOf(name),
        settings: { materialized: node.materialized },
        inputs: node.sources.length ? inputs : '',
        parents: (input.dag.parents.get(name) ?? []).map((p) => fps.get(p)!),
      }),
    );
  }
  return fps;
}

export function plan(input: PlanInput): PlanStep[] {
  const steps: PlanStep[] = [];
  const decide = (model: string, experimentId: string | null, fingerprint: string, sql: string): PlanStep => {
    const node = input.dag.nodes.get(model)!;
    const base = { experimentId, model, materialized: node.materialized, stage: node.stage, fingerprint, sql };
    if (node.materialized === 'ephemeral') return { ...base, action: 'skip', reason: 'ephemeral' };
    if (input.skipStages.has(node.stage)) return { ...base, action: 'skip', reason: 'flag' };
    if (input.fullRefresh) return { ...base, action: 'build', reason: 'full-refresh' };
    const stored = input.stored.get({ model, experimentId });
    if (stored === undefined) return { ...base, action: 'build', reason: 'new' };
    return stored === fingerprint ? { ...base, action: 'skip', reason: 'fresh' } : { ...base, action: 'build', reason: 'stale' };
  };

  const selected = new Set(input.models);
  const globalModels = input.dag.order.filter((m) => selected.has(m) && input.dag.nodes.get(m)!.materialized !== 'partitioned');
  // Project-level models run before the partitions, except those that read partitioned
  // models: they run after every partition is built.
  const readsPartitions = (m: string): boolean =>
    [...ancestors(input.dag, m)].some((a) => input.dag.nodes.get(a)!.materialized === 'partitioned');
  const globalFps = fingerprintsFor(input, (m) => input.globalSql.get(m) ?? '', '');
  const globalStep = (m: string): PlanStep => decide(m, null, globalFps.get(m)!, input.globalSql.get(m) ?? '');
  steps.push(...globalModels.filter((m) => !readsPartitions(m)).map(globalStep));
  for (const p of input.partitions) {
    const fps = fingerprintsFor(input, (m) => p.sql.get(m) ?? input.globalSql.get(m) ?? '', p.inputs);
    for (const m of input.dag.order) {
      if (!selected.has(m) || input.dag.nodes.get(m)!.materialized !== 'partitioned') continue;
      steps.push(decide(m, p.experimentId, fps.get(m)!, p.sql.get(m) ?? ''));
    }
  }
  // They read every partition, so their fingerprint includes the fingerprint each
  // upstream partition will have once this plan is applied (built or fresh in this plan,
  // as recorded otherwise). Any partition rebuilt upstream, in this run or an earlier
  // (even interrupted) one, makes them stale.
  const current = new PartitionMap<string>(input.stored);
  for (const st of steps) if (st.experimentId !== null && st.reason !== 'flag') current.set(st, st.fingerprint);
  steps.push(...globalModels.filter(readsPartitions).map((m) => {
    const upstream = new Set([...ancestors(input.dag, m)].filter((a) => input.dag.nodes.get(a)!.materialized === 'partitioned'));
    const partitionState = [...upstream]
      .flatMap((a) => [...current.ofModel(a)].flatMap(([experimentId, fp]) => (experimentId === null ? [] : [partitionLine(a, experimentId, fp)])))
      .sort();
    const fp = sha256(globalFps.get(m)!, ...partitionState);
    return decide(m, null, fp, input.globalSql.get(m) ?? '');
  }));
  return steps;
}

/** One line per step, for --dry-run and logs. */
export function describeStep(s: PlanStep): string {
  const where = s.experimentId ?? '(project)';
  return `${s.action === 'build' ? 'build' : 'skip '} ${where} ${s.model} [${s.materialized}, ${s.stage}] ${s.reason}`;
}
