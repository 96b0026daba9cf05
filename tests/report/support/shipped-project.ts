/**
 * The shipped project (configs/, models/, macros/, analyses/) in a temp dir with small
 * synthetic experiments, for the memo, report and health tests. Plugins and macros import
 * the runner by relative paths (../src/…); in the copy those point at the repo's src/.
 */
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseDocument } from 'yaml';
import { REPO_ROOT, wrapProject, type TempProject } from '../../helpers/project.ts';

const PARTS = ['configs', 'models', 'macros', 'analyses', 'seeds'] as const;

function rewriteImports(dir: string, copiedFrom: string): void {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const f = path.join(dir, e.name);
    if (e.isDirectory()) { rewriteImports(f, path.join(copiedFrom, e.name)); continue; }
    if (!e.name.endsWith('.ts')) continue;
    const text = readFileSync(f, 'utf8');
    const out = text.replace(/(from\s+|import\s*\(\s*)(['"])(\.\.?\/[^'"]+)\2/g, (whole, lead: string, q: string, spec: string) => {
      const target = path.resolve(copiedFrom, spec);
      const inside = PARTS.some((p) => target.startsWith(path.join(REPO_ROOT, p) + path.sep));
      return inside ? whole : `${lead}${q}${target}${q}`;
    });
    if (out !== text) writeFileSync(f, out);
  }
}

export interface ShippedOptions {
  /** synthetic users per experiment (default 3000) */
  readonly nUsers?: number;
  /** keep only these experiments */
  readonly only?: readonly string[];
  /** extra YAML merged into each kept experiment, by id */
  readonly edit?: Readonly<Record<string, Record<string, unknown>>>;
}

export function shippedProject(opts: ShippedOptions = {}): TempProject {
  const root = mkdtempSync(path.join(os.tmpdir(), 'xp-report-'));
  for (const part of PARTS) {
    const src = path.join(REPO_ROOT, part);
    if (!existsSync(src)) continue;
    cpSync(src, path.join(root, part), { recursive: true });
    rewriteImports(path.join(root, part), src);
  }
  writeFileSync(path.join(root, 'package.json'), '{ "private": true, "type": "module" }\n');
  const p = wrapProject(root);
  // experiments live in configs/dev.yaml and configs/experiments/*.yml
  const keep = (id: string): boolean => !opts.only || opts.only.includes(id);
  const n = opts.nUsers ?? 3000;
  const dev = parseDocument(p.read('configs/dev.yaml'));
  const experiments = dev.get('experiments') as { items: { key: { value: string } }[] } | undefined;
  for (const item of [...(experiments?.items ?? [])]) {
    const id = item.key.value;
    if (!keep(id)) { dev.deleteIn(['experiments', id]); continue; }
    dev.setIn(['experiments', id, 'synth', 'n_users'], n);
    for (const [k, v] of Object.entries(opts.edit?.[id] ?? {})) dev.setIn(['experiments', id, ...k.split('.')], v);
  }
  p.write('configs/dev.yaml', dev.toString());
  const dir = p.file('configs/experiments');
  if (existsSync(dir)) {
    for (const f of readdirSync(dir)) {
      const doc = parseDocument(readFileSync(path.join(dir, f), 'utf8'));
      const id = String(doc.get('id'));
      if (!keep(id)) { rmSync(path.join(dir, f)); continue; }
      doc.setIn(['synth', 'n_users'], n);
      for (const [k, v] of Object.entries(opts.edit?.[id] ?? {})) doc.setIn(k.split('.'), v);
      writeFileSync(path.join(dir, f), doc.toString());
    }
  }
  return p;
}
