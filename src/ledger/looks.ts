/**
 * Sequential looks across restarts, for the sequential plugin. Each build of a running
 * experiment is a look keyed by its input snapshot: the same snapshot never takes a
 * second look, new data takes the next one. Boundaries at look k use the information
 * fractions of looks 1..k kept here, so pausing, upgrading or moving the experiment
 * never changes the error rate. Plugins reach these through `ctx.ledger`
 * (src/analyse/plugin-ledger.ts), bound to their experiment.
 */
import { XpError } from '../core/errors.ts';
import type { Db } from '../engine/connection.ts';
import type { ConfigSnapshot } from './config-snapshot.ts';
import type { LookPayload, Status } from './events.ts';
import { foldEvents, type ExperimentState, type LookRecord } from './fold.ts';
import { appendEvent, readExperimentEvents } from './store.ts';

export type { LookRecord } from './fold.ts';

async function stateOf(db: Db, experimentId: string): Promise<ExperimentState> {
  return foldEvents(experimentId, await readExperimentEvents(db, experimentId));
}

/**
 * How the functions below read an experiment's folded ledger: from the store each time
 * (the default), or through the analysis stage's cache (src/analyse/plugin-ledger.ts),
 * which reads it once for all the plugins of a build instead of once per call.
 */
export type StateReader = (db: Db, experimentId: string) => Promise<ExperimentState>;

/** The looks taken so far, in order: what boundaries at the next look are computed from. */
export async function previousLooks(db: Db, experimentId: string): Promise<LookRecord[]> {
  return [...(await stateOf(db, experimentId)).looks];
}

export interface LookContext {
  readonly status: Status;
  /** true when a look may be recorded now (status running) */
  readonly canLook: boolean;
  /** hash of the input snapshot this build reads (the ledger's latest), if any */
  readonly inputHash?: string;
  readonly looks: readonly LookRecord[];
  /** the look already taken on this input snapshot, if any: reuse it, take no new one */
  readonly currentLook?: LookRecord;
  readonly alphaSpent: number;
  /** the config in force (its `experiment.sequential` is the plan) */
  readonly config?: ConfigSnapshot;
  /** design changes accepted while running: re-plan the remaining looks from here */
  readonly configChanges: ExperimentState['configChanges'];
}

export async function lookContext(db: Db, experimentId: string, read: StateReader = stateOf): Promise<LookContext> {
  const s = await read(db, experimentId);
  const inputHash = s.input?.hash;
  const currentLook = inputHash === undefined ? undefined : s.looks.find((l) => l.inputHash === inputHash);
  return {
    status: s.status, canLook: s.status === 'running', looks: s.looks, alphaSpent: s.alphaSpent, configChanges: s.configChanges,
    ...(inputHash === undefined ? {} : { inputHash }),
    ...(currentLook ? { currentLook } : {}),
    ...(s.config ? { config: s.config.config } : {}),
  };
}

export type LookInput = Omit<LookPayload, 'look' | 'inputHash'> & { readonly inputHash?: string };

export type RecordLookResult =
  | { readonly recorded: true; readonly look: LookRecord }
  | { readonly recorded: false; readonly reason: 'same-input'; readonly look: LookRecord }
  | { readonly recorded: false; readonly reason: 'not-running'; readonly status: Status };

/**
 * Record look k+1, unless a look was already taken on this input snapshot (returns it)
 * or the experiment is not running. `inputHash` defaults to the build's snapshot.
 */
export async function recordLook(db: Db, experimentId: string, look: LookInput, read: StateReader = stateOf): Promise<RecordLookResult> {
  const s = await read(db, experimentId);
  if (s.status !== 'running') return { recorded: false, reason: 'not-running', status: s.status };
  const inputHash = look.inputHash ?? s.input?.hash;
  if (inputHash === undefined) {
    throw new XpError('INTERNAL', `recordLook(${experimentId}): no input snapshot in the ledger and none given`);
  }
  const same = s.looks.find((l) => l.inputHash === inputHash);
  if (same) return { recorded: false, reason: 'same-input', look: same };
  if (!(look.informationFraction > 0)) {
    throw new XpError('INTERNAL', `recordLook(${experimentId}): information fraction must be > 0, got ${look.informationFraction}`);
  }
  const payload: LookPayload = { ...look, look: s.looks.length + 1, inputHash };
  const e = await appendEvent(db, experimentId, { kind: 'look', payload });
  return { recorded: true, look: { ...(e.payload as LookPayload), seq: e.seq, at: e.at } };
}

/** The decision plugin's verdict, and the memo writer's file, for the history. */
export async function recordDecision(
  db: Db,
  experimentId: string,
  decision: { readonly decision: string; readonly reason?: string; readonly look?: number; readonly details?: Readonly<Record<string, unknown>> },
  read: StateReader = stateOf,
): Promise<void> {
  const s = await read(db, experimentId);
  if (s.decision && s.decision.decision === decision.decision && s.decision.look === decision.look) return;
  await appendEvent(db, experimentId, { kind: 'decision', payload: decision });
}

export async function recordMemo(db: Db, experimentId: string, memo: { readonly path: string; readonly hash: string; readonly runId?: string }, read: StateReader = stateOf): Promise<void> {
  const s = await read(db, experimentId);
  if (s.memo && s.memo.hash === memo.hash && s.memo.path === memo.path) return;
  await appendEvent(db, experimentId, { kind: 'memo_written', payload: memo });
}

