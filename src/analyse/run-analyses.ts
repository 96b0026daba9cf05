/**
 * Run the analysis plugins for one experiment partition after its models are built.
 * Each plugin is a step with a fingerprint (plugin source + experiment config + the
 * fingerprints of what it reads), so an unchanged partition re-runs nothing.
 */
import { XpError } from '../core/errors.ts';
import type { Db, Row, SqlParams } from '../engine/connection.ts';
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
import { LedgerStateCache } from './plugin-ledger.ts';
import { stagePluginResults, writeStagedResults, type StagedResults } from './write-results.ts';
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

type StepBase = Pick<StepResult, 'experimentId' | 'node' | 'stage'> & { readonly fingerprint: string };

/** A plugin that ran and whose rows wait for the batch's write; its step ends when the batch is written. */
interface Pending {
  readonly staged: StagedResults;
  readonly plugin: LoadedPlugin;
  readonly base: StepBase;
  readonly index: number;
  /** seconds of its own run, before its share of the batch's write */
  readonly seconds: number;
}

/**
 * Whether a query may read `table`: its name is a word of the SQL, or a string parameter
 * (information_schema lookups pass the table name as one). A guess that errs towards yes:
 * a false yes costs one early write, a false no would read stale rows.
 */
function mayRead(sql: string, params: SqlParams | undefined, table: string): boolean {
  const word = new RegExp(`(^|[^A-Za-z0-9_$])${table.replace(/[^A-Za-z0-9_]/g, '\\$&')}($|[^A-Za-z0-9_$])`, 'i');
  const values = params === undefined ? [] : Array.isArray(params) ? params : Object.values(params);
  return word.test(sql) || values.some((v) => typeof v === 'string' && word.test(v));
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
  /**
   * Plugins that succeeded, their rows not written yet, and the steps that ended after
   * them (held back so steps end in plugin order). Written as one transaction (one commit
   * of the build's scratch) at the end, or earlier: before a plugin that reads one of them
   * (its reads or after), or a ctx.query that may read one of their tables (an undeclared
   * read), so a plugin's queries always see the rows of the plugins before it.
   */
  let pending: Pending[] = [];
  let held: { result: StepResult; index: number }[] = [];
  const ledgerCache = new LedgerStateCache();
  const end = (result: StepResult, index: number): void => {
    out.push(result);
    reporter({ type: 'step-end', result, index, total });
  };
  const failure = (loaded: LoadedPlugin, base: StepBase, cause: unknown, seconds: number): StepResult => {
    const { plugin, path: pluginPath } = loaded;
    const err = cause instanceof XpError ? cause : new XpError('STAGE_FAILED', `analysis ${plugin.name} failed: ${cause instanceof Error ? cause.message : String(cause)}`, {
      location: { experiment: experiment.id, file: pluginPath },
      hint: plugin.optional ? 'an optional stage: the build continues and the memo says it was skipped' : 'fix the plugin or its inputs and rebuild; earlier results are intact',
      cause,
    });
    if (plugin.optional) {
      reporter({ type: 'warning', experimentId: experiment.id, message: err.message });
      return { ...base, status: 'skipped', reason: 'optional-failed', message: err.message, seconds };
    }
    return { ...base, status: 'error', message: err.message, code: err.code, seconds };
  };
  const flush = async (): Promise<void> => {
    const batch = pending;
    const after = held;
    pending = [];
    held = [];
    const started = performance.now();
    let failed: unknown;
    try {
      await writeStagedResults(opts.db, batch.map((p) => p.staged), opts.runId);
    } catch (cause) {
      failed = cause;
    }
    // each plugin's seconds: its run and its share of the one write
    const share = batch.length ? (performance.now() - started) / 1000 / batch.length : 0;
    const steps = [
      ...batch.map((p) => {
        const seconds = p.seconds + share;
        if (failed !== undefined) {
          pluginState.set(p.plugin.plugin.name, { fingerprint: p.base.fingerprint, state: 'failed' });
          return { result: failure(p.plugin, p.base, failed, seconds), index: p.index };
        }
        return { result: { ...p.base, status: 'success', rows: p.staged.rows, seconds } as StepResult, index: p.index };
      }),
      ...after,
    ].sort((a, b) => a.index - b.index);
    for (const s of steps) end(s.result, s.index);
  };
  for (const [index, loaded] of opts.plugins.entries()) {
    const { plugin, source, path: pluginPath } = loaded;
    const node = pluginNode(plugin.name);
    const upstream = [...plugin.reads, ...(plugin.after ?? [])].map((r) => {
      const producer = opts.plugins.find((p) => p.plugin.name === r || Object.hasOwn(p.plugin.writes, r))?.plugin.name;
      return { name: r, state: producer ? pluginState.get(producer) : opts.models.get(r) };
    });
    const fingerprint = sha256('plugin-v1', source, configHash, ...upstream.map((u) => `${u.name}=${u.state?.fingerprint ?? ''}`));
    const base = { experimentId: experiment.id, node, stage: plugin.name, fingerprint };
    const finish = (r: StepResult, state: ModelState['state']): void => {
      pluginState.set(plugin.name, { fingerprint, state });
      if (pending.length) held.push({ result: r, index });
      else end(r, index);
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
    const needs = new Set([...plugin.reads, ...(plugin.after ?? [])]);
    if (pending.some((p) => needs.has(p.plugin.plugin.name) || Object.keys(p.plugin.plugin.writes).some((t) => needs.has(t)))) await flush();
    await ensureBuildData(opts.db);
    for (const [t, rows] of await readTables(opts.db, experiment.id, [...unread])) results.set(t, rows);
    unread.clear();
    reporter({ type: 'step-start', experimentId: experiment.id, node, stage: plugin.name, label: `analysis ${plugin.name}` });
    const started = performance.now();
    const warnings: string[] = [];
    const beforeQuery = async (sql: string, params?: SqlParams): Promise<void> => {
      if (pending.some((p) => Object.keys(p.plugin.plugin.writes).some((t) => mayRead(sql, params, t)))) await flush();
    };
    try {
      const output: PluginOutput = await runPlugin(plugin, { db: opts.db, project: opts.project, experiment, plugin: { name: plugin.name, path: pluginPath }, results, warnings, beforeQuery, ledgerCache });
      const staged = stagePluginResults(plugin, experiment.id, output, fingerprint);
      for (const w of warnings) reporter({ type: 'warning', experimentId: experiment.id, message: `${plugin.name}: ${w}` });
      // the plugins after it read its rows from `results` (and its table, once written: beforeQuery)
      for (const [t, r] of Object.entries(output)) results.set(t, r.map((x) => ({ ...x })));
      pluginState.set(plugin.name, { fingerprint, state: 'ok' });
      pending.push({ staged, plugin: loaded, base, index, seconds: (performance.now() - started) / 1000 });
    } catch (cause) {
      finish(failure(loaded, base, cause, (performance.now() - started) / 1000), 'failed');
    }
  }
  await flush();
  return out;
}
