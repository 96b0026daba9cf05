/**
 * Plugins cannot damage data, hang the build or end it silently (real builds on the mini
 * fixture): table ownership at load, the read-only ctx.query, unknown row keys, the
 * per-plugin deadline, process.exit from a plugin, and the CLI's guard for a process that
 * ends before the command returns. Every case checks that the partitions it could have
 * damaged hash the same before and after.
 */
import { existsSync, rmSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadProject } from '../../src/runner/load-project.ts';
import { runBuild, type BuildOutcome } from '../../src/runner/run-build.ts';
import { XpError } from '../../src/core/errors.ts';
import type { ProjectConfig } from '../../src/project/types.ts';
import { pluginTimeout } from '../../src/analyse/isolate.ts';
import { miniProject, type TempProject } from '../helpers/project.ts';
import { spawnXp, xp } from '../helpers/cli.ts';
import { rows } from '../helpers/warehouse.ts';
import { columnsOf, partitionHashes, writePlugin } from './support.ts';

let p: TempProject;
beforeEach(async () => {
  p = await miniProject();
});
afterEach(() => p.remove());

const wh = (): string => p.file('target/warehouse.duckdb');
const MODEL_TABLES = ['stg_events', 'user_values', 'variant_totals', 'all_totals']; // filtered is ephemeral
/** the build's step lines, without their "3/7 " progress prefix */
const stepLines = (stdout: string, pattern: RegExp): string[] => stdout.split('\n').map((l) => l.replace(/^\s*\d+\/\d+ /, '')).filter((l) => pattern.test(l));

async function build(select = 'all'): Promise<BuildOutcome> {
  return runBuild(await loadProject('configs/dev.yaml', p.root), { select });
}

async function loadError(): Promise<XpError> {
  try {
    await loadProject('configs/dev.yaml', p.root);
  } catch (err) {
    if (err instanceof XpError) return err;
    throw err;
  }
  throw new Error('loaded without an error');
}

describe('every table has one owner', () => {
  it('a plugin that declares a model\'s table does not load (exit 2) and the model is untouched', async () => {
    await build();
    const before = await partitionHashes(wh(), [...MODEL_TABLES, 'variant_summary']);
    const columns = await columnsOf(wh(), 'variant_totals');
    writePlugin(p, 'clobber', [
      "  reads: [], writes: { variant_totals: { variant: 'varchar', n: 'bigint', extra: 'double' } },",
      "  async run() { return { variant_totals: [{ variant: 'control', n: 0, extra: 1 }] }; },",
    ].join('\n'));
    const r = await xp(p.root, 'build', '--select', 'all', '--full-refresh');
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n').slice(0, 2)).toEqual([
      'error[PLUGIN_INVALID] analyses/clobber.ts · object writes.variant_totals: plugin clobber declares table "variant_totals" in writes, which model variant_totals (models/marts/variant_totals.sql) builds',
      '  hint: every table has one owner: rename the table in writes (e.g. "clobber_variant_totals"); to read the model, list "variant_totals" in reads and use ctx.query',
    ]);
    expect(r.stdout).toBe('');
    expect(await partitionHashes(wh(), [...MODEL_TABLES, 'variant_summary'])).toEqual(before);
    expect(await columnsOf(wh(), 'variant_totals')).toEqual(columns);
  });

  it('names match as DuckDB matches them, case-insensitively', async () => {
    writePlugin(p, 'shouty', "  reads: [], writes: { Variant_Totals: { n: 'bigint' } },\n  async run() { return {}; },");
    expect(await loadError()).toMatchObject({
      code: 'PLUGIN_INVALID',
      message: 'plugin shouty declares table "Variant_Totals" in writes, which model variant_totals (models/marts/variant_totals.sql) builds',
      location: { file: 'analyses/shouty.ts', object: 'writes.Variant_Totals' },
    });
  });

  it('a plugin that declares another plugin\'s table does not load, and that table is untouched', async () => {
    await build();
    const before = await partitionHashes(wh(), ['variant_summary']);
    writePlugin(p, 'zz_thief', "  reads: [], writes: { variant_summary: { variants: 'bigint' } },\n  async run() { return { variant_summary: [] }; },");
    const r = await xp(p.root, 'build', '--select', 'all', '--full-refresh');
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n').slice(0, 2)).toEqual([
      'error[PLUGIN_INVALID] analyses/zz_thief.ts · object writes.variant_summary: plugin zz_thief declares table "variant_summary" in writes, which plugin variant_count (analyses/variant_count.ts) already writes',
      "  hint: every table has one owner: rename the table in writes (e.g. \"zz_thief_variant_summary\"); to read its rows, add after: ['variant_count'] and use ctx.results",
    ]);
    expect(await partitionHashes(wh(), ['variant_summary'])).toEqual(before);
  });

  it('a built-in\'s tables are the built-in\'s; a project plugin of the same name replaces it and keeps them', async () => {
    p.write('configs/dev.yaml', p.read('configs/dev.yaml').replace('analyses: { builtin: false }', 'analyses: { builtin: true }'));
    writePlugin(p, 'my_ab', "  reads: [], writes: { analysis_results: { metric: 'varchar' } },\n  async run() { return {}; },");
    const err = await loadError();
    expect(err).toMatchObject({
      code: 'PLUGIN_INVALID',
      message: 'plugin my_ab declares table "analysis_results" in writes, which plugin ab (<builtin>/ab.ts) already writes',
      location: { file: 'analyses/my_ab.ts', object: 'writes.analysis_results' },
      hint: "every table has one owner: rename the table in writes (e.g. \"my_ab_analysis_results\"); to read its rows, add after: ['ab'] and use ctx.results, or replace the built-in with analyses/ab.ts",
    });
    p.write('analyses/ab.ts', p.read('analyses/my_ab.ts').replaceAll('my_ab', 'ab'));
    rmSync(p.file('analyses/my_ab.ts'));
    const project = await loadProject('configs/dev.yaml', p.root);
    const ab = project.plugins.find((l) => l.plugin.name === 'ab');
    expect(ab).toMatchObject({ path: 'analyses/ab.ts', builtin: false });
    expect(Object.keys(ab!.plugin.writes)).toEqual(['analysis_results']);
  });
});

describe('ctx.query is read-only', () => {
  it('a plugin that writes through ctx.query fails (exit 1) naming the statement, and the data is untouched', async () => {
    await build();
    const before = await partitionHashes(wh(), [...MODEL_TABLES, 'variant_summary']);
    const attempt = (name: string, sql: string, opts: { swallow?: boolean } = {}): void => writePlugin(p, name, [
      "  reads: ['variant_totals'], writes: {},",
      '  async run(ctx) {',
      opts.swallow
        ? `    try { await ctx.query(${JSON.stringify(sql)}); } catch { /* carry on as if nothing happened */ }`
        : `    await ctx.query(${JSON.stringify(sql)});`,
      '    return {};',
      '  },',
    ].join('\n'));
    attempt('w_delete', 'delete from exp.variant_totals where experiment_id = $experiment_id');
    attempt('w_two', 'select 1; delete from exp.variant_totals');
    attempt('w_drop', 'drop table exp.variant_totals');
    attempt('w_ctas', 'create table exp.sneaky as select * from exp.variant_totals');
    attempt('w_explain', 'explain analyze delete from exp.variant_totals');
    attempt('w_swallow', 'update exp.variant_totals set n = 0', { swallow: true });
    writePlugin(p, 'w_reader', [
      "  reads: ['variant_totals'], writes: { w_reader_out: { n: 'bigint', k: 'bigint', v: 'bigint' } },",
      '  async run(ctx) {',
      "    const [a] = await ctx.query<{ n: number }>('with t as (select * from exp.variant_totals where experiment_id = $experiment_id) select sum(n) as n from t');",
      "    const [b] = await ctx.query<{ k: number }>('from (values (1), (2)) v(x) select count(*) as k');",
      "    const [c] = await ctx.query<{ v: number }>('values (7)');",
      '    return { w_reader_out: [{ n: a!.n, k: b!.k, v: Object.values(c!)[0] as number }] };',
      '  },',
    ].join('\n'));
    const r = await xp(p.root, 'build', '--select', 'all');
    expect(r.code).toBe(1);
    const fails = stepLines(r.stdout, /^FAIL exp_a/);
    expect(fails).toEqual([
      'FAIL exp_a analysis:w_ctas PLUGIN_INVALID: plugin w_ctas: ctx.query is read-only and refused a CREATE statement',
      'FAIL exp_a analysis:w_delete PLUGIN_INVALID: plugin w_delete: ctx.query is read-only and refused a DELETE statement',
      'FAIL exp_a analysis:w_drop PLUGIN_INVALID: plugin w_drop: ctx.query is read-only and refused a DROP statement',
      'FAIL exp_a analysis:w_explain PLUGIN_INVALID: plugin w_explain: ctx.query is read-only and refused a EXPLAIN statement',
      'FAIL exp_a analysis:w_swallow PLUGIN_INVALID: plugin w_swallow: ctx.query is read-only and refused a UPDATE statement',
      'FAIL exp_a analysis:w_two PLUGIN_INVALID: plugin w_two: ctx.query runs one read-only statement, got 2 (SELECT, DELETE)',
    ].map((l) => expect.stringMatching(new RegExp(`^${l.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`))));
    expect(await partitionHashes(wh(), [...MODEL_TABLES, 'variant_summary'])).toEqual(before);
    expect(await rows(wh(), "select table_name from information_schema.tables where table_name = 'sneaky'")).toEqual([]);
    expect(await rows(wh(), 'select * from exp.w_reader_out order by all')).toEqual([
      { experiment_id: 'exp_a', n: 50, k: 2, v: 7 }, { experiment_id: 'exp_b', n: 50, k: 2, v: 7 },
    ]);
  });
});

describe('rows match their declared columns', () => {
  it('a row key that is not a declared column fails the plugin (exit 1) and keeps its previous rows', async () => {
    await build();
    const before = await partitionHashes(wh(), ['variant_summary']);
    p.write('analyses/variant_count.ts', p.read('analyses/variant_count.ts').replace('note: ctx.experiment.name }', 'note: ctx.experiment.name, usres: 1 }'));
    const r = await xp(p.root, 'build', '--select', 'all');
    expect(r.code).toBe(1);
    expect(stepLines(r.stdout, /^FAIL/)).toEqual([
      expect.stringMatching(/^FAIL exp_a analysis:variant_count PLUGIN_INVALID: variant_count → variant_summary row 1: unknown column "usres", not declared in writes\.variant_summary( |$)/),
      expect.stringMatching(/^FAIL exp_b analysis:variant_count PLUGIN_INVALID: variant_count → variant_summary row 1: unknown column "usres", not declared in writes\.variant_summary( |$)/),
    ]);
    expect(await partitionHashes(wh(), ['variant_summary'])).toEqual(before);
  });

  it('a declared column a row leaves out is written as NULL', async () => {
    p.write('analyses/variant_count.ts', p.read('analyses/variant_count.ts').replace('({ ...r, note: ctx.experiment.name })', '({ ...r })'));
    expect((await build()).status).toBe('success');
    expect(await rows(wh(), 'select * from exp.variant_summary order by all')).toEqual([
      { experiment_id: 'exp_a', variants: 2, users: 50, note: null }, { experiment_id: 'exp_b', variants: 2, users: 50, note: null },
    ]);
  });
});

describe('a plugin cannot hang the build or end it', () => {
  it('a plugin past its timeoutSeconds fails naming it (exit 1); the process exits, the lock is released, later plugins run', async () => {
    await build();
    const before = await partitionHashes(wh(), [...MODEL_TABLES, 'variant_summary']);
    // a promise that never settles, with nothing else keeping the process alive (was exit 13)
    writePlugin(p, 'hang_idle', "  reads: [], writes: {}, timeoutSeconds: 1,\n  async run() { await new Promise(() => undefined); return {}; },");
    // ... with a timer that keeps the event loop alive forever (was a build that never ended)
    writePlugin(p, 'hang_timer', "  reads: [], writes: {}, timeoutSeconds: 1,\n  async run() { await new Promise(() => setInterval(() => undefined, 1000)); return {}; },");
    // ... in a DuckDB query that would run for hours: interrupted, so the warehouse is free for the plugins after it
    writePlugin(p, 'hang_query', "  reads: [], writes: {}, timeoutSeconds: 1,\n  async run(ctx) { await ctx.query('select count(*) from range(1000000000000) t(i) where i % 7 = 3'); return {}; },");
    const r = await spawnXp(p.root, ['build', '--select', 'exp_a', '--full-refresh']);
    expect(r.code).toBe(1);
    expect(stepLines(r.stdout, /^(FAIL|OK) +exp_a analysis:/)).toEqual([
      expect.stringMatching(/^FAIL exp_a analysis:hang_idle STAGE_FAILED: analysis hang_idle did not finish within 1 s and was abandoned( |$)/),
      expect.stringMatching(/^FAIL exp_a analysis:hang_query STAGE_FAILED: analysis hang_query did not finish within 1 s and was abandoned( |$)/),
      expect.stringMatching(/^FAIL exp_a analysis:hang_timer STAGE_FAILED: analysis hang_timer did not finish within 1 s and was abandoned( |$)/),
      expect.stringMatching(/^OK {3}exp_a analysis:variant_count 1 rows/),
    ]);
    expect(r.stderr).not.toContain('internal error');
    expect(existsSync(p.file('target/locks/exp_a.lock'))).toBe(false);
    expect(await partitionHashes(wh(), [...MODEL_TABLES, 'variant_summary'])).toEqual(before);
    expect(await rows(wh(), "select status from xp.runs where command like 'build --select exp_a%'")).toEqual([{ status: 'error' }]);
  });

  it('the deadline is the plugin\'s timeoutSeconds, else the project\'s analyses.timeout_seconds, else 300 s', () => {
    const project = (analyses: object): ProjectConfig => ({ analyses }) as unknown as ProjectConfig;
    expect(pluginTimeout({ timeoutSeconds: 2 }, project({ builtin: true, timeout_seconds: 60 }))).toEqual({ seconds: 2, from: 'plugin' });
    expect(pluginTimeout({}, project({ builtin: true, timeout_seconds: 60 }))).toEqual({ seconds: 60, from: 'project' });
    expect(pluginTimeout({}, project({ builtin: true }))).toEqual({ seconds: 300, from: 'default' });
  });

  it('a timeoutSeconds that is not a positive number is PLUGIN_INVALID', async () => {
    writePlugin(p, 'hasty', "  reads: [], writes: {}, timeoutSeconds: 0,\n  async run() { return {}; },");
    expect(await loadError()).toMatchObject({
      code: 'PLUGIN_INVALID',
      message: 'plugin hasty: timeoutSeconds must be a positive number of seconds, got 0',
      location: { file: 'analyses/hasty.ts', object: 'timeoutSeconds' },
    });
  });

  it('process.exit in a plugin fails that plugin (exit 1), even if it catches the error, and the build finishes', async () => {
    await build();
    const before = await partitionHashes(wh(), [...MODEL_TABLES, 'variant_summary']);
    writePlugin(p, 'quitter', "  reads: [], writes: {},\n  async run() { process.exit(0); },");
    writePlugin(p, 'quitter_quiet', "  reads: [], writes: {},\n  async run() { await Promise.resolve(); try { process.exit(0); } catch { /* swallowed */ } return {}; },");
    const r = await spawnXp(p.root, ['build', '--select', 'exp_a', '--full-refresh']);
    expect(r.code).toBe(1);
    expect(stepLines(r.stdout, /^(FAIL|OK) +exp_a analysis:/)).toEqual([
      expect.stringMatching(/^FAIL exp_a analysis:quitter PLUGIN_INVALID: plugin quitter called process\.exit\(0\); a plugin returns rows or throws, it never ends the build( |$)/),
      expect.stringMatching(/^FAIL exp_a analysis:quitter_quiet PLUGIN_INVALID: plugin quitter_quiet called process\.exit\(0\); a plugin returns rows or throws, it never ends the build( |$)/),
      expect.stringMatching(/^OK {3}exp_a analysis:variant_count 1 rows/),
    ]);
    expect(r.stdout).toMatch(/^results: /m);
    expect(r.stderr).not.toContain('internal error');
    expect(existsSync(p.file('target/locks/exp_a.lock'))).toBe(false);
    expect(await partitionHashes(wh(), [...MODEL_TABLES, 'variant_summary'])).toEqual(before);
  });

  it.each([
    ['calls process.exit(0) while it loads', 'process.exit(0);\n'],
    ['awaits a promise that never settles while it loads (was exit 13)', 'await new Promise(() => undefined);\n'],
  ])('a build whose process ends before it finished exits 4, never 0: a plugin module that %s', async (_, prelude) => {
    writePlugin(p, 'rogue', "  reads: [], writes: {},\n  async run() { return {}; },", prelude);
    const r = await spawnXp(p.root, ['build', '--select', 'exp_a']);
    expect(r.code).toBe(4);
    expect(r.stdout).toBe('');
    expect(r.stderr.split('\n')).toEqual([
      'internal error: the build ended before it finished: the process was exiting with code 0 while `xp build --select exp_a` was still running',
      '  hint: a plugin or macro helper called process.exit, or left the command waiting on a promise that never settles; steps after that point did not run. Fix it and run the command again; if neither explains it, this is a bug in exp-platform',
      '',
    ]);
  });
});
