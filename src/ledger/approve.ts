/**
 * `xp experiment approve`: record an approver's consent to one restricted action as an
 * ordinary ledger event (the approver is the event's actor). The policy decides who may.
 */
import { XpError } from '../core/errors.ts';
import type { Db } from '../engine/connection.ts';
import type { Experiment, PolicyAction } from '../project/types.ts';
import type { LedgerEvent } from './events.ts';
import { foldEvents } from './fold.ts';
import { checkApprover } from './policy.ts';
import { appendEvent, currentActor, ensureLedgerTables, readExperimentEvents, readHeads } from './store.ts';
import { assertIntact, verifyChain } from './verify.ts';
import { TERMINAL } from './lifecycle.ts';

export async function recordApproval(
  db: Db,
  experimentId: string,
  experiment: Experiment | undefined,
  action: PolicyAction,
  opts: { readonly reason?: string } = {},
): Promise<LedgerEvent> {
  const actor = currentActor();
  const refusal = checkApprover(experimentId, experiment?.policy, action, actor);
  if (refusal) throw refusal;
  await ensureLedgerTables(db);
  const events = await readExperimentEvents(db, experimentId);
  assertIntact([verifyChain(experimentId, events, (await readHeads(db)).get(experimentId) ?? null)]);
  const state = foldEvents(experimentId, events);
  if (TERMINAL.includes(state.status)) {
    throw new XpError('LIFECYCLE_INVALID', `cannot approve ${action} of experiment ${experimentId}: it is ${state.status}, which is final`, {
      location: { experiment: experimentId }, hint: `the history stays in the ledger (\`xp status ${experimentId}\`); nothing was recorded`,
    });
  }
  return appendEvent(db, experimentId, { kind: 'approval', payload: { action, ...(opts.reason ? { reason: opts.reason } : {}) } });
}
