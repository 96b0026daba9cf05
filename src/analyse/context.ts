/**
 * The context one plugin run sees, and its end. `ctx.query` goes through the read-only
 * door; a refused action is remembered, so the run fails with it even if the plugin
 * catches the error; and when the run is over (returned, threw or timed out) the context
 * closes: a plugin still running in the background can no longer query or touch the
 * ledger, and a query it left running is interrupted before anything else uses the warehouse.
 */
import { XpError } from '../core/errors.ts';
import type { Db, Row, SqlParams } from '../engine/connection.ts';
import { partitionParams } from '../engine/materialize/partitioned.ts';
import type { Experiment, ProjectConfig } from '../project/types.ts';
import type { AnalysisContext, PluginLedger } from './plugin.ts';
import { pluginLedger, type LedgerStateCache } from './plugin-ledger.ts';
import { checkReadOnly, type DoorKeeper } from './read-door.ts';

export interface SessionOptions {
  readonly db: Db;
  readonly project: ProjectConfig;
  readonly experiment: Experiment;
  readonly plugin: { readonly name: string; readonly path: string };
  readonly results: ReadonlyMap<string, readonly Row[]>;
  readonly warnings: string[];
  /** before each ctx.query: lets the runner write rows the query may read (run-analyses.ts) */
  readonly beforeQuery?: (sql: string, params?: SqlParams) => Promise<void>;
  /** the experiment's ledger, read once for the stage's plugins (plugin-ledger.ts) */
  readonly ledgerCache?: LedgerStateCache;
}

export interface PluginSession {
  readonly ctx: AnalysisContext;
  readonly keeper: DoorKeeper;
  /** the first refused action of this run (a write through ctx.query, process.exit) */
  refused(): XpError | undefined;
  /** close the context: later calls throw, a running query is interrupted, calls in flight are awaited */
  close(): Promise<void>;
}

export function openSession(opts: SessionOptions): PluginSession {
  const { db, experiment, project, plugin } = opts;
  let closed = false;
  let firstRefusal: XpError | undefined;
  let queries = 0;
  const inflight = new Set<Promise<unknown>>();

  const keeper: DoorKeeper = {
    plugin: plugin.name,
    file: plugin.path,
    experiment: experiment.id,
    refuse: (err) => {
      firstRefusal ??= err;
      return err;
    },
  };
  const open = (what: string): void => {
    if (!closed) return;
    throw new XpError('PLUGIN_INVALID', `plugin ${plugin.name} called ctx.${what} after its run ended (it returned, failed or timed out)`, {
      location: { file: plugin.path, experiment: experiment.id },
      hint: 'await every ctx call before run() returns',
    });
  };
  const track = <T>(p: Promise<T>, query = false): Promise<T> => {
    inflight.add(p);
    if (query) queries++;
    const done = (): void => {
      inflight.delete(p);
      if (query) queries--;
    };
    p.then(done, done);
    return p;
  };
  const ledger = pluginLedger(db, experiment.id, opts.ledgerCache);
  const guarded: PluginLedger = {
    lookContext: () => (open('ledger.lookContext'), track(ledger.lookContext())),
    recordLook: (look) => (open('ledger.recordLook'), track(ledger.recordLook(look))),
    recordDecision: (decision) => (open('ledger.recordDecision'), track(ledger.recordDecision(decision))),
  };
  const ctx: AnalysisContext = {
    experiment,
    project,
    metrics: Object.fromEntries(experiment.metricNames.map((m) => [m, project.metrics[m]!])),
    ledger: guarded,
    query: async <T extends Row = Row>(sql: string, params?: SqlParams): Promise<T[]> => {
      open('query');
      if (opts.beforeQuery) await track(opts.beforeQuery(sql, params));
      open('query');
      await track(checkReadOnly(db, keeper, sql));
      open('query');
      return track(db.all<T>(sql, params ?? partitionParams(sql, experiment.id)), true);
    },
    results: opts.results,
    warn: (message) => {
      if (!closed) opts.warnings.push(message);
    },
  };
  return {
    ctx,
    keeper,
    refused: () => firstRefusal,
    close: async () => {
      closed = true;
      if (queries > 0) db.interrupt();
      await Promise.allSettled([...inflight]);
    },
  };
}
