/**
 * The ledger's hooks into `xp build` (src/build/run-build.ts and apply.ts call these, one
 * line each):
 *
 * - `guardBuild`: take the experiments' locks before anything is written; release them
 *   (and the progress files) at the end.
 * - `openBuildLedger`: verify the chains, register new experiments, refuse finished ones
 *   without --force and design changes of running ones without --accept-config-change.
 * - `started`: record the input snapshot and `build_started` (naming the run it resumes).
 * - `commitStage`: a partition's `stage_finished` commits in the same transaction as its
 *   data, so the ledger never claims what did not commit.
 * - `finished`: failures, skips, analysis results and `build_finished`.
 */
import { hostname } from 'node:os';
import { XpError } from '../core/errors.ts';
import type { Db } from '../engine/connection.ts';
import type { Project } from '../workspace/project.ts';
import type { Experiment } from '../project/types.ts';
import type { PlanStep } from '../plan/plan.ts';
import type { Reporter } from '../core/events.ts';
import { reasonText, type StepResult } from '../core/results.ts';
import type { InputSnapshot } from '../storage/inputs.ts';
import { configEvents } from './config-authority.ts';
import type { LedgerEvent, NewEvent } from './events.ts';
import { applyEvent, foldEvents, type ExperimentState } from './fold.ts';
import { killPoint } from '../core/kill-points.ts';
import { TERMINAL } from './lifecycle.ts';
import { acquireExperimentLocks } from './lock.ts';
import { acceptsDesignChange, assertAllowed } from './policy.ts';
import { clearProgress, stopProgress } from './progress.ts';
import { appendEvent, appendEvents, currentActor, ensureLedgerTables, readEvents, readHeads } from './store.ts';
import { assertIntact, verifyRead } from './verify.ts';

export interface BuildGuard {
  release(): void;
}

/** Lock the selected experiments (EXPERIMENT_LOCKED, exit 3, if another process holds one). */
export function guardBuild(targetDir: string, experimentIds: readonly string[], command: string, reporter: Reporter): BuildGuard {
  const locks = acquireExperimentLocks(targetDir, experimentIds, command, (message) => reporter({ type: 'warning', message }));
  return {
    release() {
      stopProgress(reporter);
      for (const id of locks.experimentIds) clearProgress(targetDir, id);
      locks.release();
    },
  };
}

export interface BuildLedgerOptions {
  readonly runId: string;
  readonly command?: string;
  /** rebuild completed, stopped or cancelled experiments */
  readonly force?: boolean;
  /** record a design change of a running experiment instead of refusing it */
  readonly acceptConfigChange?: boolean;
  /** --full-refresh: an interrupted build's stages are rebuilt, not resumed */
  readonly fullRefresh?: boolean;
  readonly reporter: Reporter;
}

/** Records a partition's stage inside the transaction that swaps its data. */
export interface StageLedger {
  tracks(experimentId: string | null): boolean;
  record(tx: Db, step: PlanStep, rows: number, seconds: number): Promise<LedgerEvent>;
  committed(event: LedgerEvent): void;
}

export interface BuildLedger {
  /** the experiments to build: finished ones are left out of a multi-experiment selection */
  readonly experiments: readonly Experiment[];
  readonly stages: StageLedger;
  started(snapshots: ReadonlyMap<string, InputSnapshot>): Promise<void>;
  finished(results: readonly StepResult[]): Promise<void>;
  /** live state, kept by applying each appended event */
  state(experimentId: string): ExperimentState;
}

/** Run a step's materialisation; for a tracked partition, record `stage_finished` in its transaction. */
export async function commitStage(ledger: StageLedger | undefined, db: Db, step: PlanStep, build: (db: Db) => Promise<number>): Promise<number> {
  if (!ledger || !ledger.tracks(step.experimentId)) {
    const rows = await build(db);
    killPoint('after', step.model);
    return rows;
  }
  const started = performance.now();
  const { rows, event } = await db.transaction(async (tx) => {
    const rows = await build(tx);
    killPoint('during', step.model);
    return { rows, event: await ledger.record(tx, step, rows, (performance.now() - started) / 1000) };
  });
  ledger.committed(event);
  killPoint('after', step.model);
  return rows;
}

export async function openBuildLedger(db: Db, project: Project, experiments: readonly Experiment[], opts: BuildLedgerOptions): Promise<BuildLedger> {
  await ensureLedgerTables(db);
  const ids = experiments.map((e) => e.id);
  const events = await readEvents(db, ids);
  assertIntact(verifyRead(ids, events, await readHeads(db)));
  const states = new Map(ids.map((id) => [id, foldEvents(id, events.get(id) ?? [])]));
  const note = (experimentId: string, phase: string): void => opts.reporter({ type: 'phase', experimentId, phase });

  const finished = experiments.filter((e) => TERMINAL.includes(states.get(e.id)!.status));
  if (finished.length && !opts.force && finished.length === experiments.length) {
    const list = finished.map((e) => `${e.id} (${states.get(e.id)!.status})`).join(', ');
    throw new XpError('LIFECYCLE_INVALID', `not rebuilding ${list}: a finished experiment keeps its results`, {
      location: { experiment: finished[0]!.id },
      hint: 'pass --force to rebuild it anyway (recorded in the ledger)',
    });
  }
  const building = opts.force ? [...experiments] : experiments.filter((e) => !finished.includes(e));
  for (const e of finished) {
    opts.reporter({ type: 'warning', experimentId: e.id, message: opts.force
      ? `rebuilding ${states.get(e.id)!.status} experiment ${e.id} (--force)`
      : `left out: ${e.id} is ${states.get(e.id)!.status}; pass --force to rebuild it` });
  }

  // Decide every experiment's config events first, so a refusal writes nothing.
  const decisions = building.map((e) => ({ e, d: configEvents(states.get(e.id)!, e, project.config, { acceptConfigChange: opts.acceptConfigChange }) }));
  // accepting a design change is a policy action (src/ledger/policy.ts), checked before anything is written
  for (const { e, d } of decisions) if (acceptsDesignChange(d.events)) assertAllowed(e.id, e.policy, states.get(e.id)!, 'accept-config-change', currentActor());
  const committedBy = new Map<string, Set<string>>(building.map((e) => [e.id, new Set<string>()]));
  const began = performance.now();

  const apply = (e: LedgerEvent): void => {
    states.set(e.experimentId, applyEvent(states.get(e.experimentId)!, e));
  };
  /**
   * Every experiment's new events in ONE transaction: a build's scratch commits each
   * transaction to the warehouse in a section of its own, so a build of 300 experiments
   * holds the warehouse a few times, not a few times per experiment.
   */
  const appendAll = async (batch: ReadonlyMap<string, readonly NewEvent[]>): Promise<void> => {
    if (![...batch.values()].some((list) => list.length)) return;
    const stored = await db.transaction((tx) => appendEvents(tx, batch));
    stored.forEach(apply);
  };
  await appendAll(new Map(decisions.map(({ e, d }) => [e.id, d.events])));
  for (const { e, d } of decisions) for (const n of d.notes) note(e.id, n);

  const stages: StageLedger = {
    tracks: (experimentId) => experimentId !== null && committedBy.has(experimentId),
    record: (tx, step, rows, seconds) => appendEvent(tx, step.experimentId!, {
      kind: 'stage_finished',
      payload: { runId: opts.runId, node: step.model, stage: step.stage, fingerprint: step.fingerprint, rows, seconds, reason: step.reason },
    }),
    committed: (event) => {
      apply(event);
      if (event.kind === 'stage_finished') committedBy.get(event.experimentId)?.add(event.payload.node);
    },
  };

  return {
    experiments: building,
    stages,
    state: (id) => states.get(id)!,
    async started(snapshots) {
      const batch = new Map<string, NewEvent[]>();
      for (const e of building) {
        const s = states.get(e.id)!;
        const snap = snapshots.get(e.id);
        const list: NewEvent[] = [];
        if (snap && snap.hash !== s.input?.hash) {
          list.push({ kind: 'input_snapshot', payload: { hash: snap.hash, objects: snap.objects, bytes: snap.objects.reduce((n, o) => n + o.size, 0), runId: opts.runId } });
        }
        const previous = s.lastBuild?.status === 'unfinished' ? s.lastBuild : undefined;
        if (previous) {
          note(e.id, opts.fullRefresh
            ? `build ${previous.runId} (started ${previous.startedAt}) was interrupted; --full-refresh rebuilds every stage`
            : `resuming after build ${previous.runId} (started ${previous.startedAt}) was interrupted; the ${previous.finished.length} stage(s) it committed are kept and skipped while their fingerprints match`);
        }
        list.push({
          kind: 'build_started',
          payload: {
            runId: opts.runId, command: opts.command ?? 'xp build', pid: process.pid, host: hostname(),
            inputHash: snap?.hash ?? s.input?.hash ?? '', configHash: s.config?.hash ?? '',
            ...(previous ? { resumes: previous.runId } : {}), ...(opts.force && TERMINAL.includes(s.status) ? { force: true } : {}),
          },
        });
        batch.set(e.id, list);
      }
      await appendAll(batch);
      killPoint('after', 'build_started');
    },
    async finished(results) {
      for (const r of results) if (r.node.startsWith('analysis:') && r.status === 'success') killPoint('after', r.node);
      const seconds = (performance.now() - began) / 1000;
      const batch = new Map<string, NewEvent[]>();
      for (const e of building) {
        const mine = results.filter((r) => r.experimentId === e.id);
        const s = states.get(e.id)!;
        const list: NewEvent[] = [];
        for (const r of mine) {
          const base = { runId: opts.runId, node: r.node, stage: r.stage };
          if (r.status === 'success' && !committedBy.get(e.id)!.has(r.node)) {
            list.push({ kind: 'stage_finished', payload: { ...base, fingerprint: r.fingerprint ?? '', seconds: r.seconds, ...(r.rows === undefined ? {} : { rows: r.rows }), ...(r.reason ? { reason: reasonText(r) } : {}) } });
          } else if (r.status === 'error') {
            list.push({ kind: 'stage_failed', payload: { ...base, message: r.message ?? 'failed', seconds: r.seconds, ...(r.code ? { code: r.code } : {}), ...(r.fingerprint ? { fingerprint: r.fingerprint } : {}) } });
          } else if (r.status === 'skipped' && r.reason === 'fresh') {
            // committed by an earlier run that died before recording it (analysis results)
            if (r.fingerprint && s.stages[r.node]?.lastGood?.fingerprint !== r.fingerprint) {
              list.push({ kind: 'stage_finished', payload: { ...base, fingerprint: r.fingerprint, seconds: 0, reason: 'fresh' } });
            }
          } else if (r.status === 'skipped' && r.reason !== 'ephemeral') {
            list.push({ kind: 'stage_skipped', payload: { ...base, reason: r.reason ? reasonText(r) : 'skipped' } });
          }
        }
        const count = (f: (r: StepResult) => boolean): number => mine.filter(f).length;
        const failed = count((r) => r.status === 'error');
        list.push({
          kind: 'build_finished',
          payload: {
            runId: opts.runId, status: failed ? 'error' : 'success', seconds,
            built: count((r) => r.status === 'success'), fresh: count((r) => r.status === 'skipped' && r.reason === 'fresh'),
            skipped: count((r) => r.status === 'skipped' && r.reason !== 'fresh' && r.reason !== 'ephemeral'), failed,
          },
        });
        batch.set(e.id, list);
      }
      await appendAll(batch);
    },
  };
}
