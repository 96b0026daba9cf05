/**
 * The policy check as a pure function over folded ledger events: who may act, the
 * four-eyes approval, approvals used up by the action they allowed, and no policy → no
 * restriction; plus the policy's config validation.
 */
import { describe, expect, it } from 'vitest';
import { XpError } from '../../src/core/errors.ts';
import type { LedgerEvent, NewEvent } from '../../src/ledger/events.ts';
import { foldEvents } from '../../src/ledger/fold.ts';
import { acceptsDesignChange, checkApprover, checkPolicy, lastPerformed } from '../../src/ledger/policy.ts';
import { policySchema, type PolicyConfig } from '../../src/project/config-schema.ts';

const policy: PolicyConfig = { owners: ['alice'], approvers: ['bob', 'carol'], approve: ['stop', 'pause'] };

/** Events as the store would hand them back (hashes are not checked here). */
function ledger(...steps: readonly (readonly [string, NewEvent])[]): LedgerEvent[] {
  return steps.map(([actor, e], i) => ({ ...e, seq: i + 1, experimentId: 'exp_a', at: `2026-01-0${i + 1}T00:00:00.000Z`, prevHash: '', hash: `h${i + 1}`, actor }) as LedgerEvent);
}
const started: readonly [string, NewEvent] = ['alice', { kind: 'status_changed', payload: { from: 'draft', to: 'running', action: 'start' } }];
const approve = (actor: string, action: 'stop' | 'pause'): readonly [string, NewEvent] => [actor, { kind: 'approval', payload: { action } }];
const paused: readonly [string, NewEvent] = ['alice', { kind: 'status_changed', payload: { from: 'running', to: 'paused', action: 'pause' } }];
const resumed: readonly [string, NewEvent] = ['alice', { kind: 'status_changed', payload: { from: 'paused', to: 'running', action: 'resume' } }];

const check = (events: LedgerEvent[], action: Parameters<typeof checkPolicy>[3], actor: string, p: PolicyConfig | null = policy) =>
  checkPolicy('exp_a', p ?? undefined, foldEvents('exp_a', events), action, actor);

function deniedError(v: ReturnType<typeof checkPolicy>): XpError {
  if (v.allowed) throw new Error('expected a denial');
  return v.error;
}

describe('checkPolicy', () => {
  it('without a policy, anyone may do anything', () => {
    expect(check([], 'start', 'mallory', null)).toEqual({ allowed: true });
    expect(check(ledger(started), 'stop', 'mallory', null)).toEqual({ allowed: true });
  });

  it('lets owners and approvers perform an unrestricted action, and nobody else', () => {
    expect(check([], 'start', 'alice').allowed).toBe(true);
    expect(check([], 'start', 'bob').allowed).toBe(true);
    const v = check([], 'start', 'mallory');
    expect(v).toMatchObject({ allowed: false, reason: 'not-allowed' });
    const e = deniedError(v);
    expect(e.code).toBe('POLICY_DENIED');
    expect(e.exitCode).toBe(2);
    expect(e.location).toEqual({ experiment: 'exp_a' });
    expect(e.message).toBe('actor mallory may not start experiment exp_a: its policy allows only its owners and approvers (owners: alice; approvers: bob, carol)');
    expect(e.hint).toContain('XP_ACTOR');
  });

  it('denies a restricted action without an approval, naming who may approve', () => {
    const e = deniedError(check(ledger(started), 'stop', 'alice'));
    expect(e.message).toBe('stop of experiment exp_a by alice needs an approval by an approver other than alice (bob, carol), recorded since the last stop; there is none');
    expect(e.hint).toContain('xp experiment approve exp_a --action stop');
  });

  it('allows it after an approver approved it, and only for that action', () => {
    const events = ledger(started, approve('bob', 'stop'));
    expect(check(events, 'stop', 'alice')).toMatchObject({ allowed: true, approval: { seq: 2, actor: 'bob', action: 'stop' } });
    expect(check(events, 'pause', 'alice')).toMatchObject({ allowed: false, reason: 'no-approval' });
  });

  it('does not let approvers approve their own action (four eyes)', () => {
    const events = ledger(started, approve('bob', 'stop'));
    expect(check(events, 'stop', 'bob')).toMatchObject({ allowed: false, reason: 'no-approval' });
    expect(deniedError(check(events, 'stop', 'bob')).message).toContain('an approver other than bob (carol)');
    expect(check(ledger(started, approve('bob', 'stop'), approve('carol', 'stop')), 'stop', 'bob').allowed).toBe(true);
  });

  it('ignores an approval by someone who is not an approver (now)', () => {
    expect(check(ledger(started, approve('mallory', 'stop')), 'stop', 'alice').allowed).toBe(false);
    expect(check(ledger(started, approve('bob', 'stop')), 'stop', 'alice', { ...policy, approvers: ['carol'] }).allowed).toBe(false);
  });

  it('uses an approval up: the next pause needs a new one given after the last pause', () => {
    const once = ledger(started, approve('bob', 'pause'), paused, resumed);
    expect(lastPerformed(foldEvents('exp_a', once), 'pause')).toBe(3);
    expect(check(once, 'pause', 'alice')).toMatchObject({ allowed: false, reason: 'no-approval' });
    expect(check(ledger(started, approve('bob', 'pause'), paused, resumed, approve('carol', 'pause')), 'pause', 'alice').allowed).toBe(true);
    // two approvals before one pause still allow only that pause
    expect(check(ledger(started, approve('bob', 'pause'), approve('carol', 'pause'), paused, resumed), 'pause', 'alice').allowed).toBe(false);
  });

  it('counts an accepted design change as the accept-config-change action', () => {
    const p: PolicyConfig = { ...policy, approve: ['accept-config-change'] };
    const change: readonly [string, NewEvent] = ['alice', { kind: 'config_changed', payload: { config: { experiment: {}, metrics: {} }, hash: 'c', designHash: 'd', previousHash: 'b', design: true, changes: [] } }];
    const approveChange: readonly [string, NewEvent] = ['bob', { kind: 'approval', payload: { action: 'accept-config-change' } }];
    expect(check(ledger(started, approveChange), 'accept-config-change', 'alice', p).allowed).toBe(true);
    expect(check(ledger(started, approveChange, change), 'accept-config-change', 'alice', p).allowed).toBe(false);
    expect(acceptsDesignChange([change[1]])).toBe(true);
    expect(acceptsDesignChange([{ ...change[1], payload: { ...(change[1].payload as object), design: false } } as NewEvent])).toBe(false);
  });
});

describe('checkApprover', () => {
  it('accepts an approver for a restricted action', () => {
    expect(checkApprover('exp_a', policy, 'stop', 'bob')).toBeNull();
  });
  it('refuses a non-approver, an unrestricted action and an experiment without a policy', () => {
    expect(checkApprover('exp_a', policy, 'stop', 'alice')?.message).toBe('actor alice may not approve stop of experiment exp_a: its approvers are bob, carol');
    expect(checkApprover('exp_a', policy, 'start', 'bob')?.message).toBe('start of experiment exp_a needs no approval: its policy.approve lists stop, pause');
    expect(checkApprover('exp_a', undefined, 'stop', 'bob')?.code).toBe('POLICY_DENIED');
  });
});

describe('policySchema', () => {
  it('defaults the lists and refuses a policy nobody could act or approve under', () => {
    expect(policySchema.parse({ owners: ['alice'] })).toEqual({ owners: ['alice'], approvers: [], approve: [] });
    expect(policySchema.safeParse({}).error?.issues[0]?.message).toBe('a policy needs at least one owner or approver: nobody could act on the experiment');
    expect(policySchema.safeParse({ owners: ['alice'], approve: ['stop'] }).error?.issues[0]?.message).toContain('policy.approvers is empty');
    expect(policySchema.safeParse({ owners: ['alice'], approvers: ['bob'], approve: ['ship'] }).success).toBe(false);
    expect(policySchema.safeParse({ owners: [' '] }).success).toBe(false);
  });
});
