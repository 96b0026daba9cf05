/**
 * bin/xp.js runs the compiled dist/ only while it is newer than every file of src/, and
 * the sources through tsx otherwise, so an edited checkout never runs stale code. Checked
 * on a copy of the binary beside a tiny src/ and dist/ of its own.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/project.ts';

let root = '';
const run = (): string => execFileSync(process.execPath, [path.join(root, 'bin/xp.js')], { encoding: 'utf8' }).trim();
const touch = (file: string, secondsAgo: number): void => {
  const t = new Date(Date.now() - secondsAgo * 1000);
  utimesSync(path.join(root, file), t, t);
};

beforeAll(() => {
  root = mkdtempSync(path.join(tmpdir(), 'xp-bin-'));
  for (const dir of ['bin', 'dist/cli', 'dist/bundle', 'src/cli/deep']) mkdirSync(path.join(root, dir), { recursive: true });
  copyFileSync(path.join(REPO_ROOT, 'bin/xp.js'), path.join(root, 'bin/xp.js'));
  symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(root, 'node_modules'));
  writeFileSync(path.join(root, 'package.json'), '{"type":"module"}');
  writeFileSync(path.join(root, 'dist/cli/main.js'), "console.log('dist')\n");
  writeFileSync(path.join(root, 'src/cli/main.ts'), "const from: string = 'src';\nconsole.log(from);\n");
  writeFileSync(path.join(root, 'src/cli/deep/other.ts'), 'export {};\n');
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('bin/xp.js', () => {
  it('runs dist/ when it is newer than every source file', () => {
    touch('src/cli/main.ts', 60);
    touch('src/cli/deep/other.ts', 60);
    touch('dist/cli/main.js', 10);
    expect(run()).toBe('dist');
  });

  it('runs the bundle when it was made after dist/ and is newer than the sources', () => {
    writeFileSync(path.join(root, 'dist/bundle/xp.js'), "console.log('bundle')\n");
    touch('dist/bundle/xp.js', 5);
    expect(run()).toBe('bundle');
  });

  it('runs dist/ when the bundle is older than it (tsc ran, the bundler did not)', () => {
    touch('dist/bundle/xp.js', 20);
    expect(run()).toBe('dist');
    rmSync(path.join(root, 'dist/bundle/xp.js'));
  });

  it('runs the sources through tsx once any source file, however deep, is newer', () => {
    touch('src/cli/deep/other.ts', 0);
    expect(run()).toBe('src');
  });
});
