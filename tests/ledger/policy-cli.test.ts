/**
 * `policy:` through the CLI on real embedded state: an owner starts; an actor the policy
 * does not list is refused (exit 2, nothing recorded); a restricted action needs an
 * approval by another approver (`xp experiment approve`), which one action uses up; an
 * experiment without a policy behaves as before; approvals survive an export and import;
 * accepting a design change in `xp build` needs its own approval.
 */
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { build, editConfig, kinds, ledger, makeProject, writeRaw, xp } from './helpers.ts';

const as = (actor: string) => ({ XP_ACTOR: actor });

describe('policy through xp experiment', () => {
  let root: string;
  beforeAll(() => {
    root = makeProject();
    editConfig(root, (y) => y.replace('    days: 7\n  exp_b:',
      '    days: 7\n    policy: { owners: [alice], approvers: [bob, carol], approve: [pause, stop] }\n  exp_b:'));
  });

  it('refuses an actor the policy does not list, naming who may; nothing is recorded', async () => {
    const r = await xp(root, ['experiment', 'start', 'exp_a'], as('mallory'));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('error[POLICY_DENIED] experiment exp_a: actor mallory may not start experiment exp_a: its policy allows only its owners and approvers (owners: alice; approvers: bob, carol)\n  hint: ');
    expect(await ledger(root)).toEqual([]);
  });

  it('lets an owner start', async () => {
    const r = await xp(root, ['experiment', 'start', 'exp_a'], as('alice'));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/exp_a: draft → running/);
    expect((await ledger(root)).at(-1)).toMatchObject({ kind: 'status_changed', actor: 'alice' });
  });

  it('refuses a restricted action without an approval, pointing at the approve command', async () => {
    const before = await ledger(root);
    const r = await xp(root, ['experiment', 'pause', 'exp_a'], as('alice'));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('error[POLICY_DENIED] experiment exp_a: pause of experiment exp_a by alice needs an approval by an approver other than alice (bob, carol)');
    expect(r.stderr).toContain('xp experiment approve exp_a --action pause');
    expect(await ledger(root)).toEqual(before);
  });

  it('refuses an approval by someone who is not an approver', async () => {
    const r = await xp(root, ['experiment', 'approve', 'exp_a', '--action', 'pause'], as('alice'));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('error[POLICY_DENIED] experiment exp_a: actor alice may not approve pause of experiment exp_a: its approvers are bob, carol');
    expect(kinds(await ledger(root))).not.toContain('approval');
  });

  it('records an approver\'s approval; the approver may not use it, another actor may, once', async () => {
    const a = await xp(root, ['experiment', 'approve', 'exp_a', '--action', 'pause', '--reason', 'holiday freeze'], as('bob'));
    expect(a.code, a.stderr).toBe(0);
    expect(a.stdout).toMatch(/exp_a: pause approved by bob \(ledger seq \d+\)/);
    expect((await ledger(root)).at(-1)).toMatchObject({ kind: 'approval', actor: 'bob', payload: { action: 'pause', reason: 'holiday freeze' } });
    expect((await xp(root, ['status', 'exp_a'])).stdout).toMatch(/\napproval   pause by bob at \S+ \(seq \d+\), not used yet: holiday freeze\n/);

    const self = await xp(root, ['experiment', 'pause', 'exp_a'], as('bob'));
    expect(self.code).toBe(2);
    expect(self.stderr).toContain('an approver other than bob (carol)');

    const ok = await xp(root, ['experiment', 'pause', 'exp_a'], as('alice'));
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/exp_a: running → paused/);
    expect((await xp(root, ['status', 'exp_a'])).stdout).not.toContain('approval   ');
    expect((await xp(root, ['experiment', 'resume', 'exp_a'], as('alice'))).code).toBe(0);

    const again = await xp(root, ['experiment', 'pause', 'exp_a'], as('alice'));
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('error[POLICY_DENIED]');
  });

  it('a stop approved by another approver goes through', async () => {
    expect((await xp(root, ['experiment', 'approve', 'exp_a', '--action', 'stop'], as('carol'))).code).toBe(0);
    const r = await xp(root, ['experiment', 'stop', 'exp_a', '--reason', 'harm'], as('bob'));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/exp_a: running → stopped/);
  });

  it('carries approvals through an export and import; the chain verifies', async () => {
    const file = path.join(root, 'exp_a.jsonl');
    expect((await xp(root, ['ledger', 'export', '--select', 'exp_a', '--to', file])).code).toBe(0);
    const other = makeProject();
    const imported = await xp(other, ['ledger', 'import', file]);
    expect(imported.code, imported.stderr).toBe(0);
    expect((await xp(other, ['ledger', 'verify'])).code).toBe(0);
    expect((await ledger(other)).filter((e) => e.kind === 'approval').map((e) => [e.actor, e.payload])).toEqual([
      ['bob', { action: 'pause', reason: 'holiday freeze' }], ['carol', { action: 'stop' }],
    ]);
  });

  it('leaves an experiment without a policy as before', async () => {
    const r = await xp(root, ['experiment', 'start', 'exp_b'], as('mallory'));
    expect(r.code, r.stderr).toBe(0);
    const ap = await xp(root, ['experiment', 'approve', 'exp_b', '--action', 'stop'], as('bob'));
    expect(ap.code).toBe(2);
    expect(ap.stderr).toContain('error[POLICY_DENIED] experiment exp_b: stop of experiment exp_b needs no approval: it has no policy');
  });
});

describe('policy on accepting a design change (xp build --accept-config-change)', () => {
  let root: string;
  beforeAll(async () => {
    root = makeProject();
    editConfig(root, (y) => y.replace('    days: 7\n  exp_b:',
      '    days: 7\n    policy: { owners: [alice], approvers: [bob], approve: [accept-config-change] }\n  exp_b:'));
    await writeRaw(root, 'exp_a', 0, 0, 40);
    await build(root);
  });

  it('needs an approval by another approver, and writes nothing without one', async () => {
    expect((await xp(root, ['experiment', 'start', 'exp_a'], as('alice'))).code).toBe(0);
    editConfig(root, (y) => y.replace('  exp_a:\n    name: A\n    variants: { control: 0.5, treatment: 0.5 }', '  exp_a:\n    name: A\n    variants: { control: 0.4, treatment: 0.6 }'));
    const before = await ledger(root);
    const denied = await xp(root, ['build', '--select', 'exp_a', '--accept-config-change'], as('alice'));
    expect(denied.code).toBe(2);
    expect(denied.stderr).toContain('error[POLICY_DENIED] experiment exp_a: accept-config-change of experiment exp_a by alice needs an approval by an approver other than alice (bob)');
    expect(await ledger(root)).toEqual(before);

    expect((await xp(root, ['experiment', 'approve', 'exp_a', '--action', 'accept-config-change'], as('bob'))).code).toBe(0);
    const ok = await xp(root, ['build', '--select', 'exp_a', '--accept-config-change'], as('alice'));
    expect(ok.code, ok.stderr).toBe(0);
    expect(kinds(await ledger(root))).toContain('config_changed');
  });
});
