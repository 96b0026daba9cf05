/**
 * One writer per experiment: `target/locks/<experiment_id>.lock`, created atomically with
 * its contents (written to a temporary file, then hard-linked into place, which fails if
 * the lock exists). A lock whose process is dead on this host is stale and taken over
 * with a note; a live one, or one held on another host, fails fast with
 * EXPERIMENT_LOCKED naming the holder.
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

/** true alive, false dead, undefined cannot tell (another host). */
export function holderAlive(holder: Pick<LockHolder, 'pid' | 'host'>): boolean | undefined {
  if (holder.host !== hostname()) return undefined;
  try {
    process.kill(holder.pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

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
  const me: LockHolder = { pid: process.pid, host: hostname(), command, since: new Date().toISOString(), token: randomBytes(8).toString('hex') };
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
    const alive = holderAlive(holder);
    if (alive !== false) throw lockedError(experimentId, file, holder);
    if (takeOver(file, holder)) note(`took over the stale lock of ${experimentId} left by ${describeHolder(holder)} (process gone)`);
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
