#!/usr/bin/env node
// The `xp` binary. It runs the compiled runner (`npm run build`, which `npm ci` and
// `npm install` run as `prepare`) when it is newer than every file of src/, so startup
// pays for no TypeScript transpiling: the bundle in dist/bundle/ (scripts/bundle.js: a few
// files instead of hundreds of modules to resolve), or tsc's dist/ when only that was built;
// otherwise (an edited checkout) it runs the sources through tsx, so an edit never runs
// stale code. Either way a project's own TypeScript plugins and macro helpers load through
// tsx (src/core/ts-loader.ts).
import { readdirSync, statSync } from 'node:fs';

const src = new URL('../src/', import.meta.url);
const mtime = (rel) => statSync(new URL(rel, import.meta.url), { throwIfNoEntry: false })?.mtimeMs ?? -Infinity;

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

const compiled = mtime('../dist/cli/main.js');
const bundled = mtime('../dist/bundle/xp.js');
// the bundle is made from dist/ (scripts/bundle.js), so it counts only if it is the newer
const entry = bundled >= compiled ? { file: '../dist/bundle/xp.js', built: bundled } : { file: '../dist/cli/main.js', built: compiled };

if (entry.built > -Infinity && newest(src, entry.built) <= entry.built) {
  await import(entry.file);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/cli/main.ts');
}
