/**
 * `xp … | head`: a process whose stdout reader goes away stops quietly with exit 0 once
 * it watches its stdout with onBrokenPipe (src/cli/main.ts does); without it Node
 * raises EPIPE as an unhandled error.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/project.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'xp-epipe-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A child that writes lines forever; the parent reads one chunk and closes the pipe. */
function writer(guarded: boolean): Promise<{ code: number | null; stderr: string }> {
  const script = path.join(dir, `writer-${guarded}.ts`);
  writeFileSync(script, `
import { onBrokenPipe } from ${JSON.stringify(path.join(REPO_ROOT, 'src/cli/print/broken-pipe.ts'))};
${guarded ? 'onBrokenPipe(process.stdout, () => process.exit(0));' : ''}
const line = 'x'.repeat(100) + '\\n';
const next = (): void => { while (process.stdout.write(line)); process.stdout.once('drain', next); };
next();
`);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.once('data', () => child.stdout.destroy());
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error('the writer did not stop')); }, 30_000);
    child.on('error', reject);
    child.on('close', (code) => { clearTimeout(timer); resolve({ code, stderr }); });
  });
}

describe('a closed output pipe', () => {
  it('stops the process quietly with exit 0', async () => {
    expect(await writer(true)).toEqual({ code: 0, stderr: '' });
  });

  it('without the guard: EPIPE is an unhandled error (what main.ts guards against)', async () => {
    const r = await writer(false);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('EPIPE');
  });
});
