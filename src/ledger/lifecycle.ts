/**
 * The lifecycle: draft → running ⇄ paused → completed | stopped | cancelled. Pure rules
 * (`nextStatus`) and the command that records a transition in the ledger.
 */
import { XpError } from '../core/errors.ts';
import type { Db } from '../engine/connection.ts';
import type { Experiment, ProjectConfig } from '../project/types.ts';
import { configEvents } from './config-authority.ts';
import type { LedgerEvent, LifecycleAction, Status } from './events.ts';
import { applyEvent, foldEvents, type ExperimentState } from './fold.ts';
import { acceptsDesignChange, assertAllowed } from './policy.ts';
import { appendEvent, currentActor, ensureLedgerTables, readExperimentEvents } from './store.ts';
import { assertIntact, verifyChain } from './verify.ts';
import { readHeads } from './store.ts';

export const TRANSITIONS: Readonly<Record<LifecycleAction, { readonly from: readonly Status[]; readonly to: Status }>> = {
  start: { from: ['draft'], to: 'running' },
  pause: { from: ['running'], to: 'paused' },
  resume: { from: ['paused'], to: 'running' },
  complete: { from: ['running', 'paused'], to: 'completed' },
  stop: { from: ['running', 'paused'], to: 'stopped' },
  cancel: { from: ['draft', 'running', 'paused'], to: 'cancelled' },
};

/** Finished experiments: not rebuilt without --force, no more looks. */
export const TERMINAL: readonly Status[] = ['completed', 'stopped', 'cancelled'];

export function allowedActions(status: Status): LifecycleAction[] {
  return (Object.keys(TRANSITIONS) as LifecycleAction[]).filter((a) => TRANSITIONS[a].from.includes(status));
}

export function nextStatus(experimentId: string, status: Status, action: LifecycleAction): Status {
  const t = TRANSITIONS[action];
  if (t.from.includes(status)) return t.to;
  const allowed = allowedActions(status);
  throw new XpError('LIFECYCLE_INVALID', `cannot ${action} experiment ${experimentId}: it is ${status}${status === t.to ? ' already' : ''}`, {
    location: { experiment: experimentId },
    hint: allowed.length
      ? `from ${status} you can: ${allowed.map((a) => `xp experiment ${a} ${experimentId}`).join(', ')}`
      : `${status} is final; the history stays in the ledger (\`xp status ${experimentId}\`)`,
  });
}

export interface TransitionResult {
  readonly experimentId: string;
  readonly from: Status;
  readonly to: Status;
  readonly events: readonly LedgerEvent[];
  readonly notes: readonly string[];
  readonly state: ExperimentState;
}

/**
 * Record a lifecycle action. `experiment` is the YAML's definition (needed to register
 * an experiment on start); an experiment known only from the ledger (imported) works too.
 */
export async function changeStatus(
  db: Db,
  project: Pick<ProjectConfig, 'metrics' | 'file'>,
  experimentId: string,
  experiment: Experiment | undefined,
  action: LifecycleAction,
  opts: { readonly reason?: string; readonly acceptConfigChange?: boolean } = {},
): Promise<TransitionResult> {
  await ensureLedgerTables(db);
  const events = await readExperimentEvents(db, experimentId);
  assertIntact([verifyChain(experimentId, events, (await readHeads(db)).get(experimentId) ?? null)]);
  let state = foldEvents(experimentId, events);
  if (!state.registered && !experiment) {
    throw new XpError('EXPERIMENT_UNKNOWN', `unknown experiment ${experimentId}: not in the config and not in the ledger`, {
      location: { experiment: experimentId },
      hint: 'add it under experiments: in the config, or import its ledger with `xp ledger import <file>`',
    });
  }
  const from = state.status;
  const to = nextStatus(experimentId, from, action);
  // the YAML's policy (an experiment known only from the ledger has none to apply)
  assertAllowed(experimentId, experiment?.policy, state, action, currentActor());
  const decision = experiment && (action === 'start' || !state.registered)
    ? configEvents(state, experiment, project, { starting: action === 'start', acceptConfigChange: opts.acceptConfigChange })
    : { events: [], notes: [] };
  if (acceptsDesignChange(decision.events)) assertAllowed(experimentId, experiment?.policy, state, 'accept-config-change', currentActor());
  const appended: LedgerEvent[] = [];
  await db.transaction(async (tx) => {
    for (const e of [...decision.events, { kind: 'status_changed' as const, payload: { from, to, action, ...(opts.reason ? { reason: opts.reason } : {}) } }]) {
      const stored = await appendEvent(tx, experimentId, e);
      appended.push(stored);
    }
  });
  for (const e of appended) state = applyEvent(state, e);
  return { experimentId, from, to, events: appended, notes: decision.notes, state };
}
