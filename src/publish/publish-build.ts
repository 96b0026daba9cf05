/**
 * The build's publishing hook (src/build/run-build.ts calls `publishResults`, one line).
 * With `storage.lake` set, after the models and analyses every finished partition of the
 * published tables — partitioned models past staging (core, metrics, checks) and the
 * analysis plugins' result tables — is published when it was rebuilt in this run or its
 * lake copy is missing or has another fingerprint. A partition whose model or data test
 * failed keeps its old rows and fingerprint in the warehouse, so its previous publication
 * stays as it is.
 */
import { XpError } from '../core/errors.ts';
import type { Db } from '../engine/connection.ts';
import { experimentFingerprints, MODEL_SCHEMA, tablesIn } from '../engine/platform-store.ts';
import type { Project } from '../workspace/project.ts';
import type { Experiment } from '../project/types.ts';
import type { Reporter } from '../core/events.ts';
import type { StepResult } from '../core/results.ts';
import type { Lake, PartitionRef } from './lake.ts';
import { parseManifest, type Manifest } from './manifest.ts';
import { openLake } from './open-lake.ts';
import { publishPartition, sweepPartition, type PublishOptions } from './publish-partition.ts';

export interface PublishTarget extends PartitionRef {
  readonly fingerprint: string;
  /** the node that built it: the model, or `analysis:<plugin>` */
  readonly node: string;
}

/** Tables of a built node that go to the lake: staging models (they read sources) and project-level models do not. */
function publishedTables(project: Project, node: string): string[] {
  if (node.startsWith('analysis:')) {
    const plugin = project.plugins.find((p) => p.plugin.name === node.slice('analysis:'.length))?.plugin;
    return plugin ? Object.keys(plugin.writes) : [];
  }
  const model = project.dag.nodes.get(node);
  return model && model.materialized === 'partitioned' && model.sources.length === 0 ? [node] : [];
}

/** The experiment's finished partitions of published tables, with their fingerprints, sorted by table. */
export async function publishTargets(project: Project, db: Db, experimentId: string): Promise<PublishTarget[]> {
  const built = await experimentFingerprints(db, experimentId);
  const existing = await tablesIn(db, MODEL_SCHEMA);
  return built
    .flatMap((r) => publishedTables(project, r.node).map((table) => ({ table, experimentId, fingerprint: r.fingerprint, node: r.node })))
    .filter((t) => existing.has(t.table))
    .sort((a, b) => (a.table < b.table ? -1 : a.table > b.table ? 1 : 0));
}

export interface PublishResultsOptions {
  readonly runId: string;
  /** this run's step results: a partition rebuilt now is republished even with an equal fingerprint */
  readonly results: readonly StepResult[];
  readonly reporter: Reporter;
  readonly env?: NodeJS.ProcessEnv;
  readonly publish?: PublishOptions;
}

const messageOf = (err: unknown): string => (err instanceof Error ? err.message : String(err)).split('\n')[0]!;

/** The current manifest, or undefined when there is none or it is unusable (then it is simply replaced). */
async function currentManifest(lake: Lake, ref: PartitionRef, note: (m: string) => void): Promise<Manifest | undefined> {
  const text = await lake.readManifest(ref);
  if (text === undefined) return undefined;
  const parsed = parseManifest(text, ref);
  if (!parsed.ok) note(`the lake manifest of ${ref.table}/experiment_id=${ref.experimentId} is unusable (${parsed.reason}); publishing it again`);
  return parsed.ok ? parsed.manifest : undefined;
}

/** Publish what is due; returns one step result per partition published or failed (none for those up to date). */
export async function publishResults(project: Project, db: Db, experiments: readonly Experiment[], opts: PublishResultsOptions): Promise<StepResult[]> {
  if (project.config.storage.lake === undefined || experiments.length === 0) return [];
  const out: StepResult[] = [];
  const fail = (experimentId: string, node: string, err: unknown, seconds: number): void => {
    const code = err instanceof XpError ? err.code : 'STAGE_FAILED';
    out.push({ experimentId, node, stage: 'publish', status: 'error', seconds, message: messageOf(err), code });
    opts.reporter({ type: 'warning', experimentId, message: `publishing ${node.replace(/^publish:/, '')} failed, the previous publication stays: ${messageOf(err)}` });
  };
  let lake: Lake | undefined;
  try {
    lake = await openLake(project.config, opts.env);
  } catch (err) {
    for (const e of experiments) fail(e.id, 'publish', err, 0);
    return out;
  }
  if (!lake) return out;
  try {
    for (const experiment of experiments) {
      let published = 0;
      let upToDate = 0;
      for (const t of await publishTargets(project, db, experiment.id)) {
        const started = performance.now();
        const node = `publish:${t.table}`;
        try {
          const builtNow = opts.results.some((r) => r.node === t.node && r.experimentId === t.experimentId && r.status === 'success');
          const current = await currentManifest(lake, t, (message) => opts.reporter({ type: 'warning', experimentId: experiment.id, message }));
          if (!builtNow && current?.fingerprint === t.fingerprint) {
            await sweepPartition(lake, t, current);
            upToDate++;
            continue;
          }
          const m = await publishPartition(db, lake, { ...t, runId: opts.runId }, opts.publish);
          out.push({
            experimentId: t.experimentId, node, stage: 'publish', status: 'success', reason: current ? 'republished' : 'published',
            rows: m.rows, fingerprint: t.fingerprint, seconds: (performance.now() - started) / 1000,
          });
          published++;
        } catch (err) {
          fail(experiment.id, node, err, (performance.now() - started) / 1000);
          // the store is down or refuses us: every other table would fail the same way, slowly
          if (err instanceof XpError && err.code.startsWith('STORAGE_')) break;
        }
      }
      opts.reporter({ type: 'phase', experimentId: experiment.id, phase: 'publish', detail: `${published} published to ${lake.uri}, ${upToDate} up to date` });
    }
  } finally {
    await lake.close();
  }
  return out;
}
