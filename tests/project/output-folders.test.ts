/**
 * A target/ xp cannot write is a project error naming the folder (exit 2), checked when the
 * config loads. chmod does not stop root, and CI runs as root: there the CLI runs as the
 * user `nobody` (uid 65534), for whom a mode-555 folder is read-only.
 */
import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { XP_BIN } from '../helpers/cli.ts';
import { fixtureProject, type TempProject } from '../helpers/project.ts';

const NOBODY = 65534;
const asRoot = process.getuid?.() === 0;

function run(cwd: string, argv: readonly string[]): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [XP_BIN, ...argv], {
      cwd,
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, NO_COLOR: '1', HOME: cwd },
      ...(asRoot ? { uid: NOBODY, gid: NOBODY } : {}),
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stderr }));
  });
}

/** let another user read the project (mkdtemp makes it private to us) */
function openUp(dir: string): void {
  chmodSync(dir, 0o755);
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) openUp(full);
    else chmodSync(full, statSync(full).mode | 0o644);
  }
}

let p: TempProject | undefined;
afterEach(() => {
  if (p) chmodSync(p.file('target'), 0o755);
  p?.remove();
});

describe('a read-only target folder', () => {
  it('xp build exits 2 naming the folder and saying to fix its permissions', async () => {
    p = fixtureProject('mini');
    mkdirSync(p.file('target'));
    openUp(p.root);
    chmodSync(p.file('target'), 0o555);
    const r = await run(p.root, ['build', '--select', 'exp_a']);
    expect(r.stderr.split('\n').slice(0, 2)).toEqual([
      `error[CONFIG_INVALID] ${p.file('configs/dev.yaml')}: target_dir "target": cannot write to the folder ${p.file('target')}`,
      `  hint: fix the folder's permissions (e.g. chmod u+rwx ${p.file('target')}, or chown it to the user running xp), or set target_dir in the config to another folder (xp writes the warehouse, compiled SQL, run results and memos there)`,
    ]);
    expect(r.code).toBe(2);
  }, 60_000);
});
