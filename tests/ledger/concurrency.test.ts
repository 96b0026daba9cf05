/**
 * One writer per experiment, many experiments at once. A second build of the same
 * experiment fails fast with exit 3 naming the holder; a build of another experiment
 * meanwhile runs and finishes (each build computes in its own scratch and holds the
 * warehouse only to commit: src/engine/scratch); readers answer during the build from
 * the committed state; `xp status` from another shell shows the running build's stage;
 * the partitions equal those of serial builds; a lock left by a dead process is taken over.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { XpError } from '../../src/core/errors.ts';
import { acquireExperimentLocks, lockPath, readLock } from '../../src/ledger/lock.ts';
import { readProgress } from '../../src/ledger/progress.ts';
import { foldEvents } from '../../src/ledger/fold.ts';
import { verifyChain } from '../../src/ledger/verify.ts';
import { REPO, build, ledger, makeProject, tableHashes, writeRaw, xp, xpUntil } from './helpers.ts';

/** A plugin that holds the build until a file appears, so another process can race it. */
function addGate(root: string): string {
  const release = path.join(root, 'release-gate');
  const releaseB = path.join(root, 'release-gate-b');
  writeFileSync(path.join(root, 'analyses/gate.ts'), `
import { existsSync } from 'node:fs';
import { definePlugin } from '${REPO}/src/analyse/plugin.ts';
export default definePlugin({
  name: 'gate', description: 'test: waits for a file', reads: ['variant_totals'], writes: { gate_log: { ok: 'boolean' } },
  async run(ctx) {
    const file = ctx.experiment.id === 'exp_b' ? ${JSON.stringify(releaseB)} : ${JSON.stringify(release)};
    while (!existsSync(file) && !existsSync(${JSON.stringify(release)})) await new Promise((r) => setTimeout(r, 50));
    return { gate_log: [{ ok: true }] };
  },
});
`);
  return release;
}

describe('experiment locks (unit)', () => {
  it('one holder at a time; released on release', () => {
    const dir = path.join(makeProject(), 'target');
    const a = acquireExperimentLocks(dir, ['exp_a', 'exp_b'], 'xp build --select all');
    expect(readLock(dir, 'exp_a')).toMatchObject({ pid: process.pid, host: hostname(), command: 'xp build --select all' });
    try {
      acquireExperimentLocks(dir, ['exp_b'], 'xp experiment pause exp_b');
      expect.unreachable();
    } catch (err) {
      expect((err as XpError).code).toBe('EXPERIMENT_LOCKED');
      expect((err as XpError).exitCode).toBe(3);
      expect((err as XpError).message).toMatch(new RegExp(`^experiment exp_b is locked by pid ${process.pid} on .*, running \`xp build --select all\` since \\d{4}-`));
    }
    a.release();
    expect(existsSync(lockPath(dir, 'exp_a'))).toBe(false);
    acquireExperimentLocks(dir, ['exp_b'], 'again').release();
  });

  it('all or nothing: a refused lock releases the ones already taken', () => {
    const dir = path.join(makeProject(), 'target');
    const b = acquireExperimentLocks(dir, ['exp_b'], 'holder');
    expect(() => acquireExperimentLocks(dir, ['exp_a', 'exp_b'], 'second')).toThrow(/exp_b is locked/);
    expect(existsSync(lockPath(dir, 'exp_a'))).toBe(false);
    b.release();
  });

  it('takes over a lock whose process is gone, with a note; never one on another host', () => {
    const dir = path.join(makeProject(), 'target');
    const stale = acquireExperimentLocks(dir, ['exp_a'], 'old');
    const file = lockPath(dir, 'exp_a');
    const dead = { pid: 2 ** 22 + 12345, host: hostname(), command: 'xp build --select exp_a', since: '2026-01-01T00:00:00.000Z', token: 'dead' };
    writeFileSync(file, JSON.stringify(dead));
    stale.release(); // not ours any more: must not delete it
    expect(readLock(dir, 'exp_a')?.token).toBe('dead');
    const notes: string[] = [];
    const taken = acquireExperimentLocks(dir, ['exp_a'], 'new', (m) => notes.push(m));
    expect(notes).toEqual([`took over the stale lock of exp_a left by pid ${dead.pid} on ${hostname()}, running \`xp build --select exp_a\` since 2026-01-01T00:00:00.000Z (process gone)`]);
    taken.release();
    writeFileSync(file, JSON.stringify({ ...dead, host: 'elsewhere' }));
    expect(() => acquireExperimentLocks(dir, ['exp_a'], 'new')).toThrow(/locked by pid \d+ on elsewhere/);
  });
});

describe('concurrent builds', () => {
  it('exit 3 for the same experiment (naming the holder); another experiment builds meanwhile; readers answer; same partitions as serial builds', async () => {
    const serial = makeProject();
    for (const id of ['exp_a', 'exp_b']) await writeRaw(serial, id, 0, 0, 50);
    addGate(serial);
    writeFileSync(path.join(serial, 'release-gate'), '');
    expect((await build(serial, { select: 'exp_a' })).status).toBe('success');
    expect((await build(serial, { select: 'exp_b' })).status).toBe('success');

    const root = makeProject();
    await writeRaw(root, 'exp_a', 0, 0, 50);
    await writeRaw(root, 'exp_b', 0, 0, 50);
    const release = addGate(root);
    const first = xpUntil(root, ['build', '--select', 'exp_a'], (out) => out.includes('exp_a: still running analysis gate'), { XP_PROGRESS_LINE_SECONDS: '1' });
    await first.started;

    const same = await xp(root, ['build', '--select', 'exp_a']);
    expect(same.code).toBe(3);
    expect(same.stderr).toMatch(new RegExp(`error\\[EXPERIMENT_LOCKED\\] .*exp_a.*: experiment exp_a is locked by pid ${first.child.pid} on .*, running \`build --select exp_a\` since `));

    // exp_b's gate is open: it runs to the end while exp_a's build holds its own gate
    writeFileSync(path.join(root, 'release-gate-b'), '');
    const other = await xp(root, ['build', '--select', 'exp_b']);
    expect(other.code, other.stderr).toBe(0);
    expect(existsSync(lockPath(path.join(root, 'target'), 'exp_b'))).toBe(false); // released on the way out

    // readers during exp_a's build: the committed state, never a default
    const query = await xp(root, ['query', "select experiment_id, count(*) as n from exp.variant_totals group by 1 order by 1", '--format', 'json']);
    expect(query.code, query.stderr).toBe(0);
    expect(JSON.parse(query.stdout)).toEqual([{ experiment_id: 'exp_a', n: 2 }, { experiment_id: 'exp_b', n: 2 }]);
    const statusB = await xp(root, ['status', 'exp_b']);
    expect(statusB.code, statusB.stderr).toBe(0);
    expect(statusB.stdout).not.toMatch(/draft \(new\)/);
    expect((await xp(root, ['ledger', 'verify'])).code).toBe(0);

    const status = await xp(root, ['status', 'exp_a']);
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(new RegExp(`build {6}running: pid ${first.child.pid} on .*, analysis gate .*step \\d+/\\d+`));
    const progress = readProgress(path.join(root, 'target'), 'exp_a')!;
    expect(progress).toMatchObject({ pid: first.child.pid, phase: 'analysis gate' });
    expect(progress.done).toBeLessThan(progress.total);
    expect(progress.etaSeconds).toBeGreaterThanOrEqual(0);

    writeFileSync(release, '');
    const r = await first.done;
    expect(r.code, r.stderr).toBe(0);
    // not a terminal: plain "still running" lines while the long step runs
    expect(r.stdout).toMatch(/^exp_a: still running analysis gate \(\d+s; step \d+\/\d+(; ETA \d+s)?\)$/m);
    expect(readProgress(path.join(root, 'target'), 'exp_a')).toBeUndefined();
    expect(readLock(path.join(root, 'target'), 'exp_a')).toBeUndefined();

    const events = await ledger(root);
    expect(verifyChain('exp_a', events).problems).toEqual([]);
    expect(foldEvents('exp_a', events).builds).toEqual({ started: 1, succeeded: 1, failed: 0, interrupted: 0 });
    const now = await tableHashes(root);
    const again = await build(root, { select: 'exp_a' });
    expect(again.results.filter((x) => x.status === 'success')).toEqual([]); // nothing left to do
    expect(await tableHashes(root)).toEqual(now);
    expect(await tableHashes(root)).toEqual(await tableHashes(serial));
  });
});
