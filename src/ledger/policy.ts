/**
 * Who may do what to an experiment: a pure check of its `policy:` (the YAML's) against
 * the folded ledger. Only owners and approvers may perform a policy action; an action
 * listed in `approve` also needs an unused approval: recorded after the last time that
 * action was performed, by an approver other than the actor (the four-eyes rule). Each
 * performed action uses up the approvals before it, so a second stop needs a new one.
 * Experiments without a policy are not restricted.
 */
import { XpError } from '../core/errors.ts';
import type { PolicyAction, PolicyConfig } from '../project/types.ts';
import type { NewEvent } from './events.ts';
import type { ApprovalRecord, ExperimentState } from './fold.ts';

export type PolicyVerdict =
  | { readonly allowed: true; readonly approval?: ApprovalRecord }
  | { readonly allowed: false; readonly reason: 'not-allowed' | 'no-approval'; readonly error: XpError };

const list = (names: readonly string[]): string => (names.length ? names.join(', ') : 'nobody');

function denied(experimentId: string, reason: 'not-allowed' | 'no-approval', message: string, hint: string): PolicyVerdict {
  return { allowed: false, reason, error: new XpError('POLICY_DENIED', message, { location: { experiment: experimentId }, hint }) };
}

/** seq of the last time `action` was performed (0 when never): approvals before it are used up. */
export function lastPerformed(state: ExperimentState, action: PolicyAction): number {
  const seqs = action === 'accept-config-change'
    ? state.configChanges.filter((c) => c.design).map((c) => c.seq)
    : state.statusHistory.filter((h) => h.action === action).map((h) => h.seq);
  return Math.max(0, ...seqs);
}

/** The approval that lets `actor` perform `action` now, if any (the earliest unused one). */
export function usableApproval(policy: PolicyConfig, state: ExperimentState, action: PolicyAction, actor: string): ApprovalRecord | undefined {
  const since = lastPerformed(state, action);
  return state.approvals.find((a) => a.action === action && a.seq > since && a.actor !== undefined
    && policy.approvers.includes(a.actor) && a.actor !== actor);
}

/** May `actor` perform `action` on the experiment now? */
export function checkPolicy(experimentId: string, policy: PolicyConfig | undefined, state: ExperimentState, action: PolicyAction, actor: string): PolicyVerdict {
  if (!policy) return { allowed: true };
  const who = `owners: ${list(policy.owners)}; approvers: ${list(policy.approvers)}`;
  if (!policy.owners.includes(actor) && !policy.approvers.includes(actor)) {
    return denied(experimentId, 'not-allowed',
      `actor ${actor} may not ${action} experiment ${experimentId}: its policy allows only its owners and approvers (${who})`,
      `run it as one of them (the actor is XP_ACTOR, else the OS user), or add ${actor} to policy.owners in the config`);
  }
  if (!policy.approve.includes(action)) return { allowed: true };
  const approval = usableApproval(policy, state, action, actor);
  if (approval) return { allowed: true, approval };
  const others = policy.approvers.filter((a) => a !== actor);
  return denied(experimentId, 'no-approval',
    `${action} of experiment ${experimentId} by ${actor} needs an approval by an approver other than ${actor} (${list(others)}), recorded since the last ${action}; there is none`,
    `an approver runs \`xp experiment approve ${experimentId} --action ${action}\` first (with XP_ACTOR set to their name)`);
}

/** checkPolicy, throwing POLICY_DENIED (exit 2) when denied. */
export function assertAllowed(experimentId: string, policy: PolicyConfig | undefined, state: ExperimentState, action: PolicyAction, actor: string): void {
  const v = checkPolicy(experimentId, policy, state, action, actor);
  if (!v.allowed) throw v.error;
}

/** May `actor` record an approval of `action`? Only an approver, only for an action the policy restricts. */
export function checkApprover(experimentId: string, policy: PolicyConfig | undefined, action: PolicyAction, actor: string): XpError | null {
  const location = { experiment: experimentId };
  if (!policy || !policy.approve.includes(action)) {
    return new XpError('POLICY_DENIED', `${action} of experiment ${experimentId} needs no approval: ${policy ? `its policy.approve lists ${list(policy.approve)}` : 'it has no policy'}`, {
      location, hint: `add ${action} to policy.approve in the config to require one; nothing was recorded`,
    });
  }
  if (!policy.approvers.includes(actor)) {
    return new XpError('POLICY_DENIED', `actor ${actor} may not approve ${action} of experiment ${experimentId}: its approvers are ${list(policy.approvers)}`, {
      location, hint: 'one of the approvers runs the approve command (the actor is XP_ACTOR, else the OS user); nothing was recorded',
    });
  }
  return null;
}

/** Do these config events accept a design change (the `accept-config-change` action)? */
export function acceptsDesignChange(events: readonly NewEvent[]): boolean {
  return events.some((e) => e.kind === 'config_changed' && e.payload.design);
}
