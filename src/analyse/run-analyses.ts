/**
 * Run the analysis plugins for one experiment partition after its models are built.
 * Each plugin is a step with a fingerprint (plugin source + experiment config + the
 * fingerprints of what it reads), so an unchanged partition re-runs nothing.
 */
import { XpError } from '../core/errors.ts';
import type { Db, Row } from '../engine/connection.ts';
import { MODEL_SCHEMA, tableExists } from '../engine/platform-store.ts';
import { sha256 } from '../core/hash.ts';
import { storedKey } from '../plan/plan.ts';
import type { Experiment, ProjectConfig } from '../project/types.ts';
import { relation } from '../engine/sql.ts';
import type { Reporter } from '../core/events.ts';
import type { StepResult } from '../core/results.ts';
import type { LoadedPlugin } from './load-plugins.ts';
import type { PluginOutput } from './plugin.ts';
import { runPlugin } from './isolate.ts';
import { writePluginResults } from './write-results.ts';
import { ensureBuildData } from '../engine/scratch/scratch-db.ts';

export interface ModelState {
  readonly fingerprint: string;
  /** 'ok' built or fresh; 'skipped' by a --skip flag; 'failed' errored or blocked */
  readonly state: 'ok' | 'skipped' | 'failed';
}

export interface AnalyseOptions {
  readonly db: Db;
  readonly project: ProjectConfig;
  readonly plugins: readonly LoadedPlugin[];
  readonly experiment: Experiment;
  readonly models: ReadonlyMap<string, ModelState>;
  readonly skip: ReadonlySet<string>;
  readonly fullRefresh: boolean;
  readonly stored: ReadonlyMap<string, string>;
  readonly runId: string;
  readonly reporter: Reporter;
  /**
   * The experiment's lifecycle status from the ledger. Part of every plugin's
   * fingerprint: starting or pausing an experiment changes what the sequential and
   * decision plugins must do on the same data.
   */
  readonly status?: string;
}

export function pluginNode(name: string): string {
  return `analysis:${name}`;
}

async function readTables(db: Db, experimentId: string, tables: readonly string[]): Promise<Map<string, Row[]>> {
  const out = new Map<string, Row[]>();
  for (const t of tables) {
    out.set(t, await tableExists(db, MODEL_SCHEMA, t) ? await db.all(`select * exclude (experiment_id) from ${relation(MODEL_SCHEMA, t)} where experiment_id = $1`, [experimentId]) : []);
  }
  return out;
}

export async function runAnalyses(opts: AnalyseOptions): Promise<StepResult[]> {
  const { experiment, reporter } = opts;
  const results = new Map<string, Row[]>();
  /** tables of fresh plugins, not read yet */
  const unread = new Set<string>();
  const out: StepResult[] = [];
  const pluginState = new Map<string, ModelState>();
  const configHash = sha256(JSON.stringify(experiment), JSON.stringify(experiment.metricNames.map((m) => opts.project.metrics[m])), opts.status ?? '');
  const total = opts.plugins.length;
  for (const [index, { plugin, source, path: pluginPath }] of opts.plugins.entries()) {
    const node = pluginNode(plugin.name);
    const upstream = [...plugin.reads, ...(plugin.after ?? [])].map((r) => {
      const producer = opts.plugins.find((p) => p.plugin.name === r || Object.hasOwn(p.plugin.writes, r))?.plugin.name;
      return { name: r, state: producer ? pluginState.get(producer) : opts.models.get(r) };
    });
    const fingerprint = sha256('plugin-v1', source, configHash, ...upstream.map((u) => `${u.name}=${u.state?.fingerprint ?? ''}`));
    const base = { experimentId: experiment.id, node, stage: plugin.name, fingerprint };
    const finish = (r: StepResult, state: ModelState['state']): void => {
      out.push(r);
      pluginState.set(plugin.name, { fingerprint, state });
      reporter({ type: 'step-end', result: r, index, total });
    };
    const failed = upstream.find((u) => u.state?.state === 'failed');
    const skipped = upstream.find((u) => u.state?.state === 'skipped');
    if (opts.skip.has(plugin.name)) { finish({ ...base, status: 'skipped', reason: 'flag', seconds: 0 }, 'skipped'); continue; }
    if (failed) { finish({ ...base, status: 'skipped', reason: 'upstream-failed', upstream: failed.name, seconds: 0 }, 'failed'); continue; }
    if (skipped) { finish({ ...base, status: 'skipped', reason: 'upstream-skipped', upstream: skipped.name, seconds: 0 }, 'skipped'); continue; }
    if (!opts.fullRefresh && opts.stored.get(storedKey(node, experiment.id)) === fingerprint) {
      // read only if a plugin after it runs: a build that finds every plugin fresh reads no results
      for (const t of Object.keys(plugin.writes)) unread.add(t);
      finish({ ...base, status: 'skipped', reason: 'fresh', seconds: 0 }, 'ok');
      continue;
    }
    await ensureBuildData(opts.db);
    for (const [t, rows] of await readTables(opts.db, experiment.id, [...unread])) results.set(t, rows);
    unread.clear();
    reporter({ type: 'step-start', experimentId: experiment.id, node, stage: plugin.name, label: `analysis ${plugin.name}` });
    const started = performance.now();
    const warnings: string[] = [];
    try {
      const output: PluginOutput = await runPlugin(plugin, { db: opts.db, project: opts.project, experiment, plugin: { name: plugin.name, path: pluginPath }, results, warnings });
      const rows = await writePluginResults(opts.db, plugin, experiment.id, output, fingerprint, opts.runId);
      for (const [t, r] of Object.entries(output)) results.set(t, r.map((x) => ({ ...x })));
      for (const w of warnings) reporter({ type: 'warning', experimentId: experiment.id, message: `${plugin.name}: ${w}` });
      finish({ ...base, status: 'success', rows, seconds: (performance.now() - started) / 1000 }, 'ok');
    } catch (cause) {
      const err = cause instanceof XpError ? cause : new XpError('STAGE_FAILED', `analysis ${plugin.name} failed: ${cause instanceof Error ? cause.message : String(cause)}`, {
        location: { experiment: experiment.id, file: pluginPath },
        hint: plugin.optional ? 'an optional stage: the build continues and the memo says it was skipped' : 'fix the plugin or its inputs and rebuild; earlier results are intact',
        cause,
      });
      if (plugin.optional) {
        reporter({ type: 'warning', experimentId: experiment.id, message: err.message });
        finish({ ...base, status: 'skipped', reason: 'optional-failed', message: err.message, seconds: (performance.now() - started) / 1000 }, 'failed');
      } else {
        finish({ ...base, status: 'error', message: err.message, code: err.code, seconds: (performance.now() - started) / 1000 }, 'failed');
      }
    }
  }
  return out;
}
