#!/usr/bin/env node
// The `xp` binary. It runs the compiled runner in dist/ (`npm run build`, which `npm ci` and
// `npm install` run as `prepare`) when dist/ is newer than every file of src/, so startup
// pays for no TypeScript transpiling; otherwise (an edited checkout) it runs the sources
// through tsx, so an edit never runs stale code. Either way a project's own TypeScript
// plugins and macro helpers load through tsx (src/core/ts-loader.ts).
import { readdirSync, statSync } from 'node:fs';

const src = new URL('../src/', import.meta.url);
const built = statSync(new URL('../dist/cli/main.js', import.meta.url), { throwIfNoEntry: false });

/** The newest modification time under a folder, or Infinity once one is newer than `limit`. */
function newest(dir, limit) {
  let max = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const url = new URL(e.name + (e.isDirectory() ? '/' : ''), dir);
    const t = e.isDirectory() ? newest(url, limit) : statSync(url).mtimeMs;
    if (t > limit) return Infinity;
    if (t > max) max = t;
  }
  return max;
}

if (built && newest(src, built.mtimeMs) <= built.mtimeMs) {
  await import('../dist/cli/main.js');
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/cli/main.ts');
}
