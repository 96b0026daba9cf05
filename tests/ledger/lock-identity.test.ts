/**
 * A lock names its holder by process identity, not by PID alone: a lock file whose PID is
 * alive but belongs to an unrelated process (the PID was reused after a crash), or that
 * was taken before the host restarted, is stale and taken over with a note; a lock held by
 * a running xp process still fails fast with exit 3.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { XpError } from '../../src/core/errors.ts';
import { acquireExperimentLocks, holderState, lockPath, processStartTime, readLock, type LockHolder } from '../../src/ledger/lock.ts';
import { REPO, makeProject, writeRaw, xp, xpUntil } from './helpers.ts';

const SINCE = '2026-01-01T00:00:00.000Z';
const bootId = (): string => readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();

let sleeper: ChildProcess | undefined;
afterEach(() => {
  sleeper?.kill('SIGKILL');
  sleeper = undefined;
});

/** A live process that has nothing to do with xp, and its start time. */
async function unrelatedProcess(): Promise<{ pid: number; startTime: number }> {
  sleeper = spawn('sleep', ['30'], { stdio: 'ignore' });
  await new Promise<void>((resolve, reject) => {
    sleeper!.once('spawn', resolve);
    sleeper!.once('error', reject);
  });
  const pid = sleeper.pid!;
  return { pid, startTime: processStartTime(pid)! };
}

/** The lock file a crashed `xp build` left behind, as the lock code writes it. */
function writeLock(target: string, holder: Omit<LockHolder, 'host' | 'since' | 'token' | 'command'> & Partial<LockHolder>): LockHolder {
  const full: LockHolder = { host: hostname(), command: 'build --select exp_a', since: SINCE, token: 'crashed', ...holder };
  writeFileSync(lockPath(target, 'exp_a'), JSON.stringify(full) + '\n');
  return full;
}

/** A plugin that holds the build until a file appears, so another process can race it. */
function addGate(root: string): string {
  const release = path.join(root, 'release-gate');
  writeFileSync(path.join(root, 'analyses/gate.ts'), `
import { existsSync } from 'node:fs';
import { definePlugin } from '${REPO}/src/analyse/plugin.ts';
export default definePlugin({
  name: 'gate', description: 'test: waits for a file', reads: ['variant_totals'], writes: { gate_log: { ok: 'boolean' } },
  async run() {
    while (!existsSync(${JSON.stringify(release)})) await new Promise((r) => setTimeout(r, 50));
    return { gate_log: [{ ok: true }] };
  },
});
`);
  return release;
}

describe.runIf(process.platform === 'linux')('lock holder identity', () => {
  it('records the holder\'s start time (field 22 of /proc/<pid>/stat) and boot id', () => {
    const dir = path.join(makeProject(), 'target');
    const held = acquireExperimentLocks(dir, ['exp_a'], 'xp build --select exp_a');
    try {
      const stat = readFileSync(`/proc/${process.pid}/stat`, 'utf8');
      const field22 = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
      expect(readLock(dir, 'exp_a')).toMatchObject({ pid: process.pid, startTime: field22, bootId: bootId() });
      expect(holderState(readLock(dir, 'exp_a')!)).toBe('alive');
    } finally {
      held.release();
    }
  });

  it('takes over a lock whose live PID belongs to an unrelated process, with a note', async () => {
    const dir = path.join(makeProject(), 'target');
    acquireExperimentLocks(dir, ['exp_a'], 'setup').release(); // makes target/locks
    const other = await unrelatedProcess();
    // the crashed holder started before the process that now has its PID
    writeLock(dir, { pid: other.pid, startTime: other.startTime - 1, bootId: bootId() });
    expect(holderState(readLock(dir, 'exp_a')!)).toBe('reused');
    const notes: string[] = [];
    const taken = acquireExperimentLocks(dir, ['exp_a'], 'xp build --select exp_a', (m) => notes.push(m));
    expect(notes).toEqual([`took over the stale lock of exp_a left by pid ${other.pid} on ${hostname()}, running \`build --select exp_a\` since ${SINCE} (pid ${other.pid} now belongs to another process)`]);
    expect(readLock(dir, 'exp_a')).toMatchObject({ pid: process.pid, command: 'xp build --select exp_a' });
    taken.release();
    expect(other.pid).toBeGreaterThan(0);
    expect(sleeper!.exitCode).toBeNull(); // the unrelated process is left alone
  });

  it('takes over a lock taken before the host restarted', async () => {
    const dir = path.join(makeProject(), 'target');
    acquireExperimentLocks(dir, ['exp_a'], 'setup').release();
    const other = await unrelatedProcess();
    writeLock(dir, { pid: other.pid, startTime: other.startTime, bootId: '00000000-0000-0000-0000-000000000000' });
    const notes: string[] = [];
    acquireExperimentLocks(dir, ['exp_a'], 'xp build --select exp_a', (m) => notes.push(m)).release();
    expect(notes).toEqual([`took over the stale lock of exp_a left by pid ${other.pid} on ${hostname()}, running \`build --select exp_a\` since ${SINCE} (the host restarted since)`]);
  });

  it('still refuses (exit 3) a lock whose PID and start time match a running process, or that records no start time', async () => {
    const dir = path.join(makeProject(), 'target');
    acquireExperimentLocks(dir, ['exp_a'], 'setup').release();
    const other = await unrelatedProcess();
    for (const holder of [{ pid: other.pid, startTime: other.startTime, bootId: bootId() }, { pid: other.pid }]) {
      writeLock(dir, holder);
      try {
        acquireExperimentLocks(dir, ['exp_a'], 'xp build --select exp_a');
        expect.unreachable();
      } catch (err) {
        expect((err as XpError).code).toBe('EXPERIMENT_LOCKED');
        expect((err as XpError).exitCode).toBe(3);
        expect((err as XpError).message).toBe(`experiment exp_a is locked by pid ${other.pid} on ${hostname()}, running \`build --select exp_a\` since ${SINCE}`);
      }
      expect(readLock(dir, 'exp_a')?.token).toBe('crashed'); // untouched
    }
  });
});

describe.runIf(process.platform === 'linux')('xp build and a lock naming a reused PID', () => {
  it('proceeds past a lock file naming a live unrelated process, with a warning', async () => {
    const root = makeProject();
    await writeRaw(root, 'exp_a', 0, 0, 50);
    const target = path.join(root, 'target');
    acquireExperimentLocks(target, ['exp_a'], 'setup').release();
    const other = await unrelatedProcess();
    writeLock(target, { pid: other.pid, startTime: other.startTime - 1, bootId: bootId() });

    const r = await xp(root, ['build', '--select', 'exp_a']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.split('\n')).toContain(
      `warning: took over the stale lock of exp_a left by pid ${other.pid} on ${hostname()}, running \`build --select exp_a\` since ${SINCE} (pid ${other.pid} now belongs to another process)`,
    );
    expect(readLock(target, 'exp_a')).toBeUndefined(); // released at the end
    expect(sleeper!.exitCode).toBeNull();
  });

  it('a lock held by a running xp build still exits 3, naming the holder', async () => {
    const root = makeProject();
    await writeRaw(root, 'exp_a', 0, 0, 50);
    const release = addGate(root);
    const first = xpUntil(root, ['build', '--select', 'exp_a'], (out) => out.includes('exp_a: still running analysis gate'), { XP_PROGRESS_LINE_SECONDS: '1' });
    try {
      await first.started;
      const target = path.join(root, 'target');
      const lock = readLock(target, 'exp_a')!;
      expect(lock).toMatchObject({ pid: first.child.pid, startTime: processStartTime(first.child.pid!), bootId: bootId() });

      const second = await xp(root, ['build', '--select', 'exp_a']);
      expect(second.code).toBe(3);
      expect(second.stderr).toBe(
        `error[EXPERIMENT_LOCKED] ${lockPath(target, 'exp_a')} · experiment exp_a: experiment exp_a is locked by pid ${first.child.pid} on ${hostname()}, running \`build --select exp_a\` since ${lock.since}\n` +
        `  hint: wait for that command to finish (\`xp status exp_a\` shows its progress); if no such process exists, delete ${lockPath(target, 'exp_a')}\n`,
      );
    } finally {
      writeFileSync(release, '');
    }
    const done = await first.done;
    expect(done.code, done.stderr).toBe(0);
  });
});
