/**
 * "Third-party packages enter through one door each" (STYLE.md): scan every import in
 * src/**.ts — static, type-only, re-exports and dynamic import() — and check that each
 * guarded package is imported only by its door.
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from './helpers/project.ts';

interface Door {
  /** the package, or a scope prefix ending in / */
  readonly pkg: string;
  readonly why: string;
  /** may this file (path relative to the repo, posix) import it? */
  allowed(file: string): boolean;
}

const DOORS: readonly Door[] = [
  { pkg: '@duckdb/node-api', why: 'only src/engine/connection.ts talks to DuckDB', allowed: (f) => f === 'src/engine/connection.ts' },
  {
    pkg: 'handlebars',
    why: 'only the SQL env and the report/memo template env use Handlebars',
    allowed: (f) => f === 'src/template/sql-env.ts' || (f.startsWith('src/report/') && /(^|\/)([\w-]+-env|template-env)\.ts$/.test(f)),
  },
  { pkg: '@aws-sdk/', why: 'only the S3 back end talks to S3', allowed: (f) => f.startsWith('src/storage/s3/') },
  { pkg: 'playwright-core', why: 'a browser driver belongs to the tests, never the runner', allowed: () => false },
  { pkg: 'vega', why: 'only the chart renderer draws with Vega', allowed: (f) => f === 'src/report/charts/vega-door.ts' },
  { pkg: 'vega-lite', why: 'only the chart renderer compiles Vega-Lite', allowed: (f) => f === 'src/report/charts/vega-door.ts' },
  { pkg: 'elkjs', why: 'only the docs layout lays out the lineage graph', allowed: (f) => f === 'src/docs/layout.ts' },
  { pkg: 'kysely', why: 'Kysely enters through the engine dialect and the typed contexts built on it', allowed: (f) => f.startsWith('src/engine/') || f.startsWith('src/ledger/') || f.startsWith('src/state/') },
  { pkg: 'pg', why: 'only the PostgreSQL state back end and the warehouse raw store talk to PostgreSQL', allowed: (f) => f.startsWith('src/state/postgres/') || f === 'src/storage/postgres/connect.ts' },
  { pkg: 'pg-boss', why: 'only the job queue door talks to pg-boss', allowed: (f) => f === 'src/queue/boss.ts' },
];

const matches = (door: Door, specifier: string): boolean =>
  door.pkg.endsWith('/') ? specifier.startsWith(door.pkg) : specifier === door.pkg || specifier.startsWith(`${door.pkg}/`);

/** Every module specifier a TypeScript file imports, including type-only and dynamic imports. */
function importsOf(source: string): string[] {
  return ts.preProcessFile(source, true, true).importedFiles.map((f) => f.fileName);
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(full);
    return /\.(ts|mts|cts)$/.test(e.name) ? [full] : [];
  });
}

function violations(files: ReadonlyMap<string, string>): string[] {
  const out: string[] = [];
  for (const [file, text] of files) {
    for (const spec of importsOf(text)) {
      for (const door of DOORS) {
        if (matches(door, spec) && !door.allowed(file)) out.push(`${file} imports ${spec}: ${door.why}`);
      }
    }
  }
  return out.sort();
}

describe('import rules', () => {
  it('the scanner sees static, type-only, re-exported and dynamic imports, not comments or strings', () => {
    const text = [
      "import { DuckDBInstance } from '@duckdb/node-api';",
      "import type { S3Client } from '@aws-sdk/client-s3';",
      "export { x } from 'jstat';",
      "const hb = await import('handlebars');",
      "// import x from 'playwright-core'",
      "const s = \"from 'playwright-core'\";",
    ].join('\n');
    expect(importsOf(text)).toEqual(['@duckdb/node-api', '@aws-sdk/client-s3', 'jstat', 'handlebars']);
  });

  it('flags a guarded package imported outside its door and allows the door itself', () => {
    const files = new Map([
      ['src/engine/connection.ts', "import '@duckdb/node-api';"],
      ['src/build/apply.ts', "import type { DuckDBValue } from '@duckdb/node-api';"],
      ['src/report/memo-env.ts', "import Handlebars from 'handlebars';"],
      ['src/report/template-env.ts', "import Handlebars from 'handlebars';"],
      ['src/report/render.ts', "import Handlebars from 'handlebars';"],
      ['src/storage/s3/list.ts', "import { S3Client } from '@aws-sdk/client-s3';"],
      ['src/storage/local/raw-store.ts', "const s3 = await import('@aws-sdk/lib-storage');"],
      ['src/docs/site.ts', "import { chromium } from 'playwright-core';"],
      ['src/queue/worker.ts', "import PgBoss from 'pg-boss';"],
    ]);
    expect(violations(files)).toEqual([
      'src/build/apply.ts imports @duckdb/node-api: only src/engine/connection.ts talks to DuckDB',
      'src/docs/site.ts imports playwright-core: a browser driver belongs to the tests, never the runner',
      'src/queue/worker.ts imports pg-boss: only the job queue door talks to pg-boss',
      'src/report/render.ts imports handlebars: only the SQL env and the report/memo template env use Handlebars',
      'src/storage/local/raw-store.ts imports @aws-sdk/lib-storage: only the S3 back end talks to S3',
    ]);
  });

  it('src/ keeps every third-party package behind its door', () => {
    const files = new Map(sourceFiles(path.join(REPO_ROOT, 'src')).map((f) => [
      path.relative(REPO_ROOT, f).split(path.sep).join('/'),
      readFileSync(f, 'utf8'),
    ]));
    expect(files.size).toBeGreaterThan(20);
    expect(violations(files)).toEqual([]);
  });
});

/**
 * The layers (README's folder map): shared vocabulary below what uses it, data flowing
 * forward. `core/` and `stats/` import nothing of ours; nothing imports the orchestrator
 * (`runner/`) or the command line (`cli/`) except `cli/` itself.
 */
function layerViolations(files: ReadonlyMap<string, string>): string[] {
  const out: string[] = [];
  for (const [file, text] of files) {
    const folder = file.split('/')[1]!;
    for (const spec of importsOf(text).filter((s) => s.startsWith('.'))) {
      const target = path.posix.normalize(path.posix.join(path.posix.dirname(file), spec));
      if (!target.startsWith('src/')) continue;
      const to = target.split('/')[1]!;
      if (to === folder) continue;
      if (folder === 'core' || folder === 'stats') out.push(`${file} imports ${target}: ${folder}/ imports nothing of ours`);
      else if ((to === 'runner' || to === 'cli') && folder !== 'cli') out.push(`${file} imports ${target}: only cli/ imports ${to}/`);
    }
  }
  return out.sort();
}

describe('layer rules', () => {
  it('flags an upward import and allows one inside a folder', () => {
    const files = new Map([
      ['src/core/errors.ts', "import { x } from '../engine/connection.ts';"],
      ['src/stats/srm.ts', "import { y } from './types.ts';"],
      ['src/report/memo.ts', "import { runBuild } from '../runner/run-build.ts';"],
      ['src/cli/commands/build.ts', "import { runBuild } from '../../runner/run-build.ts';"],
    ]);
    expect(layerViolations(files)).toEqual([
      'src/core/errors.ts imports src/engine/connection.ts: core/ imports nothing of ours',
      'src/report/memo.ts imports src/runner/run-build.ts: only cli/ imports runner/',
    ]);
  });

  it('src/ keeps its layers', () => {
    const files = new Map(sourceFiles(path.join(REPO_ROOT, 'src')).map((f) => [
      path.relative(REPO_ROOT, f).split(path.sep).join('/'),
      readFileSync(f, 'utf8'),
    ]));
    expect(layerViolations(files)).toEqual([]);
  });
});
