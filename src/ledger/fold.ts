/**
 * An experiment's state is a pure fold over its events: `foldEvents(events)` gives the
 * same answer whether the events were just appended (live) or replayed from an export.
 * `applyEvent` is the step; the build session uses it to keep its live state.
 */
import type { RawObject } from '../storage/types.ts';
import type { ConfigChange, ConfigSnapshot } from './config-snapshot.ts';
import type { PolicyAction } from '../project/types.ts';
import type { LedgerEvent, LifecycleAction, LookPayload, Status } from './events.ts';

export interface LookRecord extends LookPayload {
  readonly seq: number;
  readonly at: string;
}

export interface ErrorRecord {
  readonly runId: string;
  readonly at: string;
  readonly node?: string;
  readonly code?: string;
  readonly message: string;
}

export interface StageState {
  readonly node: string;
  readonly stage: string;
  /** the last committed result of this node for this partition */
  readonly lastGood?: { readonly fingerprint: string; readonly rows?: number; readonly runId: string; readonly at: string; readonly seconds: number };
  readonly lastStatus: 'finished' | 'failed' | 'skipped';
  readonly lastReason?: string;
  /** failures since the last success */
  readonly attempts: number;
  readonly firstError?: ErrorRecord;
}

export interface BuildRecord {
  readonly runId: string;
  readonly startedAt: string;
  readonly command: string;
  readonly pid: number;
  readonly host: string;
  readonly inputHash: string;
  /** `unfinished`: started, never finished (still running, or killed) */
  readonly status: 'unfinished' | 'success' | 'error';
  readonly finishedAt?: string;
  readonly seconds?: number;
  readonly resumes?: string;
  /** nodes committed by this run */
  readonly finished: readonly string[];
}

export interface ApprovalRecord {
  readonly seq: number;
  readonly at: string;
  readonly action: PolicyAction;
  /** the approver; absent only on events without an actor */
  readonly actor?: string;
  readonly reason?: string;
}

export interface ExperimentState {
  readonly experimentId: string;
  readonly registered: boolean;
  readonly name?: string;
  /** seq and hash of the last event folded (0 and '' before any) */
  readonly seq: number;
  readonly head: string;
  readonly at?: string;
  readonly status: Status;
  readonly statusSince?: string;
  readonly statusHistory: readonly { readonly seq: number; readonly at: string; readonly from: Status; readonly to: Status; readonly action: LifecycleAction; readonly reason?: string }[];
  /** the config in force */
  readonly config?: { readonly config: ConfigSnapshot; readonly hash: string; readonly designHash: string; readonly seq: number; readonly at: string };
  readonly configChanges: readonly { readonly seq: number; readonly at: string; readonly design: boolean; readonly changes: readonly ConfigChange[] }[];
  readonly input?: { readonly hash: string; readonly objects: readonly RawObject[]; readonly bytes: number; readonly seq: number; readonly at: string };
  readonly looks: readonly LookRecord[];
  readonly alphaSpent: number;
  readonly decision?: { readonly decision: string; readonly reason?: string; readonly look?: number; readonly seq: number; readonly at: string };
  readonly memo?: { readonly path: string; readonly hash: string; readonly seq: number; readonly at: string };
  readonly builds: { readonly started: number; readonly succeeded: number; readonly failed: number; readonly interrupted: number };
  readonly lastBuild?: BuildRecord;
  /** by node (model name or analysis:<plugin>) */
  readonly stages: Readonly<Record<string, StageState>>;
  /** builds started since the last successful one (failed, interrupted or running) */
  readonly attempts: number;
  /** the first error since the last successful build */
  readonly firstError?: ErrorRecord;
  /** approvals recorded for restricted actions (src/ledger/policy.ts decides which are still unused) */
  readonly approvals: readonly ApprovalRecord[];
}

export function initialState(experimentId: string): ExperimentState {
  return {
    experimentId, registered: false, seq: 0, head: '', status: 'draft', statusHistory: [], configChanges: [],
    looks: [], alphaSpent: 0, builds: { started: 0, succeeded: 0, failed: 0, interrupted: 0 }, stages: {}, attempts: 0,
    approvals: [],
  };
}

function withStage(s: ExperimentState, node: string, f: (cur: StageState | undefined) => StageState): ExperimentState {
  return { ...s, stages: { ...s.stages, [node]: f(s.stages[node]) } };
}

function step(s: ExperimentState, e: LedgerEvent): ExperimentState {
  switch (e.kind) {
    case 'registered':
      return { ...s, registered: true, name: e.payload.name };
    case 'config_snapshot':
    case 'config_changed': {
      const config = { config: e.payload.config, hash: e.payload.hash, designHash: e.payload.designHash, seq: e.seq, at: e.at };
      const name = typeof e.payload.config.experiment['name'] === 'string' ? (e.payload.config.experiment['name'] as string) : s.name;
      if (e.kind === 'config_snapshot') return { ...s, registered: true, config, name };
      return { ...s, config, name, configChanges: [...s.configChanges, { seq: e.seq, at: e.at, design: e.payload.design, changes: e.payload.changes }] };
    }
    case 'status_changed':
      return {
        ...s, status: e.payload.to, statusSince: e.at,
        statusHistory: [...s.statusHistory, { seq: e.seq, at: e.at, from: e.payload.from, to: e.payload.to, action: e.payload.action, ...(e.payload.reason ? { reason: e.payload.reason } : {}) }],
      };
    case 'input_snapshot':
      return { ...s, input: { hash: e.payload.hash, objects: e.payload.objects, bytes: e.payload.bytes, seq: e.seq, at: e.at } };
    case 'build_started': {
      const interrupted = s.lastBuild?.status === 'unfinished' ? 1 : 0;
      const p = e.payload;
      return {
        ...s,
        builds: { ...s.builds, started: s.builds.started + 1, interrupted: s.builds.interrupted + interrupted },
        lastBuild: {
          runId: p.runId, startedAt: e.at, command: p.command, pid: p.pid, host: p.host, inputHash: p.inputHash,
          status: 'unfinished', finished: [], ...(p.resumes ? { resumes: p.resumes } : {}),
        },
        attempts: s.attempts + 1,
      };
    }
    case 'stage_finished': {
      const p = e.payload;
      const next = withStage(s, p.node, () => ({
        node: p.node, stage: p.stage, lastStatus: 'finished', attempts: 0, ...(p.reason ? { lastReason: p.reason } : {}),
        lastGood: { fingerprint: p.fingerprint, runId: p.runId, at: e.at, seconds: p.seconds, ...(p.rows === undefined ? {} : { rows: p.rows }) },
      }));
      const lb = next.lastBuild;
      return lb && lb.runId === p.runId ? { ...next, lastBuild: { ...lb, finished: [...lb.finished, p.node] } } : next;
    }
    case 'stage_failed': {
      const p = e.payload;
      const error: ErrorRecord = { runId: p.runId, at: e.at, node: p.node, message: p.message, ...(p.code ? { code: p.code } : {}) };
      const next = withStage(s, p.node, (cur) => ({
        node: p.node, stage: p.stage, lastStatus: 'failed', attempts: (cur?.attempts ?? 0) + 1,
        firstError: cur?.firstError ?? error, ...(cur?.lastGood ? { lastGood: cur.lastGood } : {}),
      }));
      return { ...next, firstError: s.firstError ?? error };
    }
    case 'stage_skipped': {
      const p = e.payload;
      return withStage(s, p.node, (cur) => ({ ...(cur ?? { node: p.node, stage: p.stage, attempts: 0 }), lastStatus: 'skipped', lastReason: p.reason }));
    }
    case 'build_finished': {
      const p = e.payload;
      const lb = s.lastBuild;
      const ok = p.status === 'success';
      return {
        ...s,
        builds: { ...s.builds, succeeded: s.builds.succeeded + (ok ? 1 : 0), failed: s.builds.failed + (ok ? 0 : 1) },
        ...(lb && lb.runId === p.runId ? { lastBuild: { ...lb, status: p.status, finishedAt: e.at, seconds: p.seconds } } : {}),
        attempts: ok ? 0 : s.attempts,
        ...(ok ? { firstError: undefined } : {}),
      };
    }
    case 'look':
      return { ...s, looks: [...s.looks, { ...e.payload, seq: e.seq, at: e.at }], alphaSpent: e.payload.alphaSpent };
    case 'decision':
      return { ...s, decision: { decision: e.payload.decision, seq: e.seq, at: e.at, ...(e.payload.reason ? { reason: e.payload.reason } : {}), ...(e.payload.look ? { look: e.payload.look } : {}) } };
    case 'memo_written':
      return { ...s, memo: { path: e.payload.path, hash: e.payload.hash, seq: e.seq, at: e.at } };
    case 'approval':
      return { ...s, approvals: [...s.approvals, { seq: e.seq, at: e.at, action: e.payload.action, ...(e.actor ? { actor: e.actor } : {}), ...(e.payload.reason ? { reason: e.payload.reason } : {}) }] };
  }
}

/** Fold one event into the state. */
export function applyEvent(s: ExperimentState, e: LedgerEvent): ExperimentState {
  const next = step(s, e);
  const out = { ...next, seq: e.seq, head: e.hash, at: e.at };
  if (out.firstError === undefined) delete (out as { firstError?: ErrorRecord }).firstError;
  return out;
}

/** State as of the end of `events` (one experiment's, in seq order). */
export function foldEvents(experimentId: string, events: readonly LedgerEvent[]): ExperimentState {
  return events.reduce(applyEvent, initialState(experimentId));
}

/** `--at`: a seq (digits) or an ISO timestamp; the events up to and including that point. */
export function eventsAt(events: readonly LedgerEvent[], at: string | undefined): LedgerEvent[] {
  if (at === undefined) return [...events];
  if (/^\d+$/.test(at)) return events.filter((e) => e.seq <= Number(at));
  const t = Date.parse(at);
  return events.filter((e) => Date.parse(e.at) <= t);
}
