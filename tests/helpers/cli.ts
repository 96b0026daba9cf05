/**
 * Run the CLI in-process (`runCli` with fake stdout/stderr) or as a real `node bin/xp.js`
 * process, when the exit code of the process itself is what is under test.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { runCli } from '../../src/cli/program.ts';
import { REPO_ROOT } from './project.ts';

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export function captureOut(): { write(s: string): void; text(): string } {
  let buf = '';
  return { write: (s: string) => void (buf += s), text: () => buf };
}

/** `xp <argv…>` in-process, with `cwd` as the project root. */
export async function xp(cwd: string, ...argv: string[]): Promise<CliResult> {
  const stdout = captureOut();
  const stderr = captureOut();
  const code = await runCli(argv, { stdout, stderr, cwd });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

export const XP_BIN = path.join(REPO_ROOT, 'bin/xp.js');

/** `node bin/xp.js <argv…>` as a child process in `cwd`. */
export function spawnXp(cwd: string, argv: readonly string[], opts: { timeoutMs?: number; env?: Readonly<Record<string, string>> } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [XP_BIN, ...argv], { cwd, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1', ...opts.env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`xp ${argv.join(' ')} did not finish within ${opts.timeoutMs ?? 60_000} ms\n${stdout}\n${stderr}`));
    }, opts.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
  });
}
