/**
 * One `xp` command as a user runs it: `node bin/xp.js …` in its own process, timed from
 * spawn to exit (startup included), with the process's peak RSS read from Linux's
 * /proc/<pid>/status (VmHWM, the high-water mark, polled every 20 ms: it only grows, so
 * the last reading before exit is the peak up to its last 20 ms).
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';

const XP = path.resolve('bin/xp.js');

export interface WallResult {
  readonly seconds: number;
  readonly peakRssMb: number;
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function highWaterMb(pid: number): number | undefined {
  try {
    const kb = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb === undefined ? undefined : Number(kb) / 1024;
  } catch {
    return undefined; // exited, or not Linux
  }
}

export function xpWall(args: readonly string[], opts: { cwd?: string; env?: Record<string, string> } = {}): Promise<WallResult> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [XP, ...args], {
      cwd: opts.cwd ?? process.cwd(), env: { ...process.env, NO_COLOR: '1', ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let peak = 0;
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const poll = setInterval(() => { peak = Math.max(peak, highWaterMb(child.pid!) ?? 0); }, 20);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearInterval(poll);
      resolve({ seconds: (performance.now() - started) / 1000, peakRssMb: peak, code: code ?? 1, stdout, stderr });
    });
  });
}

/** Run it and insist on exit 0 (a benchmark of a failing command measures nothing). */
export async function xpOk(args: readonly string[], opts: { cwd?: string; env?: Record<string, string> } = {}): Promise<WallResult> {
  const r = await xpWall(args, opts);
  if (r.code !== 0) throw new Error(`xp ${args.join(' ')} exited ${r.code}:\n${r.stderr.slice(-2000)}`);
  return r;
}

export const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
