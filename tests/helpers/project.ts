/**
 * Fixture projects in temp dirs. Every test gets its own copy of a project under
 * tests/fixtures/projects/ (without its git-ignored raw/ and target/), with raw Parquet
 * created by DuckDB, so tests never share a warehouse or see each other's files.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openDb } from '../../src/engine/connection.ts';
import { loadProject } from '../../src/runner/load-project.ts';
import { runBuild, type BuildOptions, type BuildOutcome } from '../../src/runner/run-build.ts';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const FIXTURES = path.join(REPO_ROOT, 'tests/fixtures');

export interface TempProject {
  readonly root: string;
  /** absolute path of a file in the project */
  file(...parts: string[]): string;
  read(...parts: string[]): string;
  /** write (or overwrite) a file, relative to the project root */
  write(rel: string, text: string): void;
  remove(): void;
}

const SKIP_TOP = new Set(['raw', 'target', 'data', 'node_modules']);

/**
 * TypeScript files (analyses, macros) import the runner by relative paths that only work
 * where the fixture lives; point imports that leave the project at their absolute path.
 */
function rewriteImports(srcFile: string, destFile: string, copied: (abs: string) => boolean): void {
  const text = readFileSync(destFile, 'utf8');
  const out = text.replace(/(from\s+|import\s*\(\s*)(['"])(\.\.?\/[^'"]+)\2/g, (whole, lead: string, q: string, spec: string) => {
    const target = path.resolve(path.dirname(srcFile), spec);
    return copied(target) ? whole : `${lead}${q}${target}${q}`;
  });
  if (out !== text) writeFileSync(destFile, out);
}

function copyTree(src: string, dest: string, copied: (abs: string) => boolean, skip: ReadonlySet<string>): void {
  mkdirSync(dest, { recursive: true });
  for (const entry of readdirSync(src, { withFileTypes: true })) {
    if (skip.has(entry.name)) continue;
    const s = path.join(src, entry.name);
    const d = path.join(dest, entry.name);
    if (entry.isDirectory()) copyTree(s, d, copied, new Set());
    else {
      cpSync(s, d);
      if (entry.name.endsWith('.ts')) rewriteImports(s, d, copied);
    }
  }
}

export function tempDir(prefix: string): string {
  return mkdtempSync(path.join(os.tmpdir(), `xp-${prefix}-`));
}

export function wrapProject(root: string): TempProject {
  return {
    root,
    file: (...parts) => path.join(root, ...parts),
    read: (...parts) => readFileSync(path.join(root, ...parts), 'utf8'),
    write: (rel, text) => {
      const f = path.join(root, rel);
      mkdirSync(path.dirname(f), { recursive: true });
      writeFileSync(f, text);
    },
    remove: () => rmSync(root, { recursive: true, force: true }),
  };
}

/**
 * Copy `source` (a folder) into a fresh temp dir. `only` limits the copy to these
 * top-level entries (e.g. the shipped project's configs, models, macros, analyses).
 */
export function copyProject(source: string, opts: { only?: readonly string[]; prefix?: string } = {}): TempProject {
  const root = tempDir(opts.prefix ?? path.basename(source));
  const sourceRoot = path.resolve(source);
  const under = (abs: string, dir: string): boolean => abs === dir || abs.startsWith(dir + path.sep);
  if (opts.only) {
    const dirs = opts.only.map((name) => path.join(sourceRoot, name));
    const copied = (abs: string): boolean => dirs.some((d) => under(abs, d));
    for (const name of opts.only) {
      const s = path.join(sourceRoot, name);
      if (!existsSync(s)) continue;
      copyTree(s, path.join(root, name), copied, new Set());
    }
  } else {
    const copied = (abs: string): boolean => under(abs, sourceRoot) && !SKIP_TOP.has(path.relative(sourceRoot, abs).split(path.sep)[0]!);
    copyTree(sourceRoot, root, copied, SKIP_TOP);
  }
  // A project is an ES module package, as the repo is: without this, a spawned `xp` would
  // load analyses/*.ts and macros/*.ts in a temp dir as CommonJS.
  if (!existsSync(path.join(root, 'package.json'))) {
    writeFileSync(path.join(root, 'package.json'), JSON.stringify({ private: true, type: 'module' }, null, 2) + '\n');
  }
  return wrapProject(root);
}


/** A copy of tests/fixtures/projects/<name>. */
export function fixtureProject(name: string): TempProject {
  return copyProject(path.join(FIXTURES, 'projects', name), { prefix: name });
}

/**
 * The raw events of the mini fixture for one experiment: 200 rows, users u0…u49 (4 events
 * each), even users in control and odd in treatment, value = row number mod 7.
 * `salt` shifts the values so a test can change an experiment's raw data.
 */
export function miniEventsSql(experimentId: string, salt = 0): string {
  const id = `'${experimentId.replaceAll("'", "''")}'`;
  return `select ${id} as experiment_id, 'u' || (i % 50) as user_id,
    case when (i % 50) % 2 = 0 then 'control' else 'treatment' end as variant,
    ((i + ${salt}) % 7)::double as value
  from range(200) t(i)`;
}

/** Write `<rawDir>/<id>/events/<fileName>` for each experiment with DuckDB's copy. */
export async function writeMiniRaw(
  rawDir: string,
  experiments: Readonly<Record<string, number>> | readonly string[],
  fileName = 'part-0.parquet',
): Promise<void> {
  const entries = Array.isArray(experiments) ? experiments.map((id) => [id, 0] as const) : Object.entries(experiments);
  const db = await openDb(':memory:');
  try {
    for (const [id, salt] of entries) {
      const file = path.join(rawDir, id, 'events', fileName);
      mkdirSync(path.dirname(file), { recursive: true });
      await db.run(`copy (${miniEventsSql(id, salt)}) to '${file.replaceAll("'", "''")}' (format parquet)`);
    }
  } finally {
    db.close();
  }
}

/** The mini fixture in a temp dir with raw data for exp_a and exp_b. */
export async function miniProject(opts: { raw?: readonly string[] } = {}): Promise<TempProject> {
  const p = fixtureProject('mini');
  await writeMiniRaw(p.file('raw'), opts.raw ?? ['exp_a', 'exp_b']);
  return p;
}

/** `runBuild` of the project at `root` from configs/dev.yaml, `select: 'all'` unless given (the in-process build the mini-project tests share). */
export async function buildAll(root: string, opts: Partial<BuildOptions> = {}): Promise<BuildOutcome> {
  return runBuild(await loadProject('configs/dev.yaml', root), { select: 'all', ...opts });
}
