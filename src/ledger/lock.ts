/**
 * One writer per experiment: `target/locks/<experiment_id>.lock`, created atomically with
 * its contents (written to a temporary file, then hard-linked into place, which fails if
 * the lock exists). A lock whose process is dead on this host is stale and taken over
 * with a note; a live one, or one held on another host, fails fast with
 * EXPERIMENT_LOCKED naming the holder.
 *
 * A PID alone does not name a process: after a crash the PID is reused, and a lock naming
 * an unrelated live process would block every build. So the lock also records the
 * holder's identity where the OS gives one (Linux: the boot id and field 22 of
 * /proc/<pid>/stat, the start time in clock ticks since boot); a lock whose PID is alive
 * but started at another time, or was taken before the host restarted, is stale too.
 */
import { linkSync, mkdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { XpError } from '../core/errors.ts';

export interface LockHolder {
  readonly pid: number;
  readonly host: string;
  readonly command: string;
  readonly since: string;
  readonly token: string;
  /** the holder's start time in clock ticks since boot (Linux); absent where unknown */
  readonly startTime?: number;
  /** /proc/sys/kernel/random/boot_id when the lock was taken (Linux) */
  readonly bootId?: string;
}

export interface HeldLocks {
  readonly experimentIds: readonly string[];
  release(): void;
}

export function lockPath(targetDir: string, experimentId: string): string {
  return path.join(targetDir, 'locks', `${experimentId}.lock`);
}

export function readLock(targetDir: string, experimentId: string): LockHolder | undefined {
  try {
    return JSON.parse(readFileSync(lockPath(targetDir, experimentId), 'utf8')) as LockHolder;
  } catch {
    return undefined;
  }
}

/** Field 22 of /proc/<pid>/stat (start time, clock ticks since boot); undefined where there is no /proc. */
export function processStartTime(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // field 2 is the command in parentheses and may hold spaces or ')': count from the last ')'
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[22 - 3]);
    return Number.isSafeInteger(ticks) ? ticks : undefined;
  } catch {
    return undefined;
  }
}

function currentBootId(): string | undefined {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

/** This process as a lock names it: PID, host and, where known, boot and start time. */
function selfIdentity(): Pick<LockHolder, 'pid' | 'host' | 'startTime' | 'bootId'> {
  const startTime = processStartTime(process.pid);
  const bootId = currentBootId();
  return { pid: process.pid, host: hostname(), ...(startTime === undefined ? {} : { startTime }), ...(bootId === undefined ? {} : { bootId }) };
}

/**
 * alive: the holder runs · gone: no such process · reused: its PID now belongs to another
 * process · rebooted: taken before the host restarted · unknown: on another host.
 */
export type HolderState = 'alive' | 'gone' | 'reused' | 'rebooted' | 'unknown';

export function holderState(holder: Pick<LockHolder, 'pid' | 'host'> & Partial<Pick<LockHolder, 'startTime' | 'bootId'>>): HolderState {
  if (holder.host !== hostname()) return 'unknown';
  if (holder.bootId !== undefined) {
    const boot = currentBootId();
    if (boot !== undefined && boot !== holder.bootId) return 'rebooted';
  }
  try {
    process.kill(holder.pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return 'gone';
  }
  if (holder.startTime !== undefined) {
    const started = processStartTime(holder.pid);
    // unreadable (hidden /proc): cannot tell, so it counts as the holder
    if (started !== undefined && started !== holder.startTime) return 'reused';
  }
  return 'alive';
}

/** true alive, false dead (or its PID reused), undefined cannot tell (another host). */
export function holderAlive(holder: Pick<LockHolder, 'pid' | 'host'> & Partial<Pick<LockHolder, 'startTime' | 'bootId'>>): boolean | undefined {
  const state = holderState(holder);
  return state === 'unknown' ? undefined : state === 'alive';
}

const STALE_BECAUSE: Readonly<Record<Exclude<HolderState, 'alive' | 'unknown'>, (h: LockHolder) => string>> = {
  gone: () => 'process gone',
  reused: (h) => `pid ${h.pid} now belongs to another process`,
  rebooted: () => 'the host restarted since',
};

export function describeHolder(h: LockHolder): string {
  return `pid ${h.pid} on ${h.host}, running \`${h.command}\` since ${h.since}`;
}

const held = new Map<string, string>(); // lock file → token
let exitHookInstalled = false;

function releaseFile(file: string): void {
  const token = held.get(file);
  held.delete(file);
  try {
    const cur = JSON.parse(readFileSync(file, 'utf8')) as LockHolder;
    if (cur.token === token) unlinkSync(file);
  } catch {
    // already gone
  }
}

function tryCreate(file: string, holder: LockHolder): boolean {
  const tmp = `${file}.${process.pid}.${holder.token}.tmp`;
  writeFileSync(tmp, JSON.stringify(holder) + '\n');
  try {
    linkSync(tmp, file);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  } finally {
    try { unlinkSync(tmp); } catch { /* ignore */ }
  }
}

function lockedError(experimentId: string, file: string, holder: LockHolder | undefined, detail = ''): XpError {
  return new XpError('EXPERIMENT_LOCKED', `experiment ${experimentId} is locked by ${holder ? describeHolder(holder) : 'another process'}${detail}`, {
    location: { experiment: experimentId, file },
    hint: holder && holderAlive(holder) === undefined
      ? `the holder runs on another host; if it is gone, delete ${file}`
      : `wait for that command to finish (\`xp status ${experimentId}\` shows its progress); if no such process exists, delete ${file}`,
  });
}

/** Move a stale lock aside, once: a second process racing for it finds it gone or fresh. */
function takeOver(file: string, stale: LockHolder): boolean {
  const aside = `${file}.stale-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    renameSync(file, aside);
  } catch {
    return false; // someone else moved it first
  }
  let moved: LockHolder | undefined;
  try { moved = JSON.parse(readFileSync(aside, 'utf8')) as LockHolder; } catch { moved = undefined; }
  if (moved && moved.token !== stale.token) {
    // we moved a fresh lock taken between our read and our rename: put it back
    try { linkSync(aside, file); } catch { /* the new holder will notice nothing */ }
    try { unlinkSync(aside); } catch { /* ignore */ }
    return false;
  }
  try { unlinkSync(aside); } catch { /* ignore */ }
  return true;
}

function acquireOne(targetDir: string, experimentId: string, command: string, note: (message: string) => void): void {
  const file = lockPath(targetDir, experimentId);
  mkdirSync(path.dirname(file), { recursive: true });
  const me: LockHolder = { ...selfIdentity(), command, since: new Date().toISOString(), token: randomBytes(8).toString('hex') };
  for (let attempt = 0; attempt < 3; attempt++) {
    if (tryCreate(file, me)) {
      held.set(file, me.token);
      return;
    }
    const holder = readLock(targetDir, experimentId);
    if (!holder) {
      // unreadable: mid-rename by a racing take-over, or damaged; damaged and old means stale
      let age = 0;
      try { age = Date.now() - statSync(file).mtimeMs; } catch { continue; }
      if (age < 10_000) throw lockedError(experimentId, file, undefined);
      try { unlinkSync(file); } catch { /* ignore */ }
      note(`removed an unreadable lock file ${file}`);
      continue;
    }
    if (holder.token !== me.token && held.get(file) === holder.token) {
      throw lockedError(experimentId, file, holder, ' (this same process)');
    }
    const state = holderState(holder);
    if (state === 'alive' || state === 'unknown') throw lockedError(experimentId, file, holder);
    if (takeOver(file, holder)) note(`took over the stale lock of ${experimentId} left by ${describeHolder(holder)} (${STALE_BECAUSE[state](holder)})`);
  }
  throw lockedError(experimentId, file, readLock(targetDir, experimentId));
}

/** Lock every experiment (sorted, so two commands never wait on each other); all or nothing. */
export function acquireExperimentLocks(
  targetDir: string,
  experimentIds: readonly string[],
  command: string,
  note: (message: string) => void = () => undefined,
): HeldLocks {
  const ids = [...new Set(experimentIds)].sort();
  const files: string[] = [];
  try {
    for (const id of ids) {
      acquireOne(targetDir, id, command, note);
      files.push(lockPath(targetDir, id));
    }
  } catch (err) {
    for (const f of files) releaseFile(f);
    throw err;
  }
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on('exit', () => { for (const f of [...held.keys()]) releaseFile(f); });
  }
  return {
    experimentIds: ids,
    release: () => { for (const f of files) releaseFile(f); },
  };
}
