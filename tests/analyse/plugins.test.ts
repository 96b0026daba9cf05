/**
 * The analysis plugin framework on the mini fixture: discovery, ordering, result tables
 * written as partitions, optional vs required failures, fingerprints that skip fresh
 * plugins, and invalid plugins.
 */
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadPlugins, orderPlugins, type LoadedPlugin } from '../../src/analyse/load-plugins.ts';
import type { BuildOptions, BuildOutcome } from '../../src/runner/run-build.ts';
import { XpError } from '../../src/core/errors.ts';
import { reasonText, type StepResult } from '../../src/core/results.ts';
import { REPO_ROOT, miniProject, type TempProject, buildAll } from '../helpers/project.ts';
import { spawnXp, xp } from '../helpers/cli.ts';
import { rows, withDb } from '../helpers/warehouse.ts';
import { readExperimentEvents } from '../../src/ledger/store.ts';

const PLUGIN_TS = path.join(REPO_ROOT, 'src/analyse/plugin.ts');

/** analyses/<name>.ts with the given body fields (name is filled in). */
function plugin(name: string, body: string): string {
  return `import { definePlugin } from '${PLUGIN_TS}';\nexport default definePlugin({\n  name: '${name}',\n  description: 'test plugin ${name}',\n${body}\n});\n`;
}

let p: TempProject;
beforeEach(async () => {
  p = await miniProject();
});
afterEach(() => p.remove());

const build = (opts: Partial<BuildOptions> = {}): Promise<BuildOutcome> => buildAll(p.root, opts);
const analyses = (o: BuildOutcome): StepResult[] => o.results.filter((r) => r.node.startsWith('analysis:'));
const wh = (): string => p.file('target/warehouse.duckdb');

async function loadError(): Promise<XpError> {
  try {
    await loadPlugins(p.root);
  } catch (err) {
    if (err instanceof XpError) return err;
    throw err;
  }
  throw new Error('loaded without an error');
}

describe('discovery and ordering', () => {
  it('finds top-level analyses/*.ts only, ordered after the plugins they name', async () => {
    p.write('analyses/zeta.ts', plugin('zeta', "  reads: [], writes: {},\n  async run() { return {}; },"));
    p.write('analyses/alpha.ts', plugin('alpha', "  reads: [], writes: {}, after: ['zeta'],\n  async run() { return {}; },"));
    p.write('analyses/helpers/not_a_plugin.ts', 'export const x = 1;\n');
    const loaded = await loadPlugins(p.root, { builtin: false }); // as the mini project's analyses.builtin
    // alphabetical, except that a plugin runs after those it names
    expect(loaded.map((l) => l.plugin.name)).toEqual(['zeta', 'alpha', 'variant_count']);
    expect(loaded.map((l) => l.path)).toEqual(['analyses/zeta.ts', 'analyses/alpha.ts', 'analyses/variant_count.ts']);
  });

  it('a plugin whose name does not match its file is PLUGIN_INVALID', async () => {
    p.write('analyses/srm_check.ts', plugin('srm', "  reads: [], writes: {},\n  async run() { return {}; },"));
    const err = await loadError();
    expect(err).toMatchObject({ code: 'PLUGIN_INVALID', message: 'plugin name "srm" does not match its file name "srm_check"', location: { file: 'analyses/srm_check.ts' } });
  });

  it('a TypeScript syntax error is PLUGIN_INVALID at its file and line (exit 2), not an internal error', async () => {
    p.write('analyses/broken.ts', "import { x } from './nowhere.ts';\nexport default {\n  name: 'broken',\n");
    // in process (vitest's own TypeScript loader) the wording differs; the CLI runs tsx, as users do
    expect(await loadError()).toMatchObject({ code: 'PLUGIN_INVALID', location: { file: 'analyses/broken.ts' } });
    const r = await spawnXp(p.root, ['ls']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('error[PLUGIN_INVALID] analyses/broken.ts:4: analysis plugin does not compile: Expected identifier but found end of file (column 1)');
  });

  it('a plugin that throws while loading is PLUGIN_INVALID naming the error', async () => {
    p.write('analyses/throws.ts', "throw new Error('no config at load time');\n");
    const err = await loadError();
    expect(err).toMatchObject({ code: 'PLUGIN_INVALID', message: 'analysis plugin failed to load: no config at load time', location: { file: 'analyses/throws.ts' } });
  });

  it('a file without a plugin default export is PLUGIN_INVALID', async () => {
    p.write('analyses/loose.ts', 'export function run() { return {}; }\n');
    const err = await loadError();
    expect(err).toMatchObject({ code: 'PLUGIN_INVALID', message: 'an analysis plugin must `export default definePlugin({ name, reads, writes, run })`', location: { file: 'analyses/loose.ts' } });
  });

  it('an unknown `after` and a cycle of `after` are PLUGIN_INVALID', () => {
    const fake = (name: string, after: string[]): LoadedPlugin => ({
      path: `analyses/${name}.ts`, source: '', builtin: false,
      plugin: { name, description: '', reads: [], writes: {}, after, run: async () => ({}) },
    });
    expect(() => orderPlugins([fake('a', ['nope'])])).toThrow('plugin a runs after "nope", which is not a plugin');
    expect(() => orderPlugins([fake('a', ['b']), fake('b', ['a'])])).toThrow('analysis plugins wait on each other: a → b → a');
  });

  it('xp build in a project with an invalid plugin exits 2', async () => {
    p.write('analyses/srm_check.ts', plugin('srm', "  reads: [], writes: {},\n  async run() { return {}; },"));
    const r = await xp(p.root, 'build', '--select', 'all');
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n')[0]).toBe('error[PLUGIN_INVALID] analyses/srm_check.ts: plugin name "srm" does not match its file name "srm_check"');
  });
});

describe('running plugins', () => {
  it('writes its declared table as a partition per experiment', async () => {
    const o = await build();
    expect(analyses(o).map((r) => [r.experimentId, r.status, r.rows])).toEqual([['exp_a', 'success', 1], ['exp_b', 'success', 1]]);
    expect(await rows(wh(), 'select * from exp.variant_summary order by experiment_id')).toEqual([
      { experiment_id: 'exp_a', variants: 2, users: 50, note: 'A' },
      { experiment_id: 'exp_b', variants: 2, users: 50, note: 'B' },
    ]);
  });

  it('fresh plugins are skipped on rebuild; a changed plugin or upstream model reruns', async () => {
    await build();
    expect(analyses(await build()).map((r) => r.reason)).toEqual(['fresh', 'fresh']);
    p.write('analyses/variant_count.ts', p.read('analyses/variant_count.ts').replace("note: ctx.experiment.name", "note: ctx.experiment.name + '!'"));
    expect(analyses(await build()).map((r) => r.status)).toEqual(['success', 'success']);
    expect(await rows(wh(), 'select note from exp.variant_summary order by all')).toEqual([{ note: 'A!' }, { note: 'B!' }]);
    p.write('models/marts/variant_totals.sql', p.read('models/marts/variant_totals.sql').replace('count(*) as n', 'count(*) + 0 as n'));
    expect(analyses(await build({ select: 'exp_b' })).map((r) => `${r.experimentId} ${r.status}`)).toEqual(['exp_b success']);
  });

  it('--full-refresh reruns fresh plugins', async () => {
    await build();
    expect(analyses(await build({ fullRefresh: true })).map((r) => r.status)).toEqual(['success', 'success']);
  });

  it('a plugin is skipped by name and when its upstream stage is skipped', async () => {
    expect(analyses(await build({ skip: new Set(['variant_count']) })).map((r) => r.reason)).toEqual(['flag', 'flag']);
  });

  it('a later plugin reads an earlier one\'s results, on a fresh rebuild too', async () => {
    p.write('analyses/doubler.ts', plugin('doubler', [
      "  reads: ['variant_summary'], after: ['variant_count'],",
      "  writes: { doubled: { users2: 'bigint' } },",
      "  async run(ctx) { return { doubled: (ctx.results.get('variant_summary') ?? []).map((r) => ({ users2: Number(r['users']) * 2 })) }; },",
    ].join('\n')));
    await build();
    expect(await rows(wh(), 'select * from exp.doubled order by all')).toEqual([{ experiment_id: 'exp_a', users2: 100 }, { experiment_id: 'exp_b', users2: 100 }]);
    // variant_count fresh, doubler forced: it must still see variant_count's rows
    p.write('analyses/doubler.ts', p.read('analyses/doubler.ts').replace('* 2', '* 3'));
    const o = await build();
    expect(analyses(o).map((r) => `${r.node} ${r.reason ?? r.status}`)).toEqual([
      'analysis:variant_count fresh', 'analysis:doubler success', 'analysis:variant_count fresh', 'analysis:doubler success',
    ]);
    expect(await rows(wh(), 'select users2 from exp.doubled order by all')).toEqual([{ users2: 150 }, { users2: 150 }]);
  });

  it('an optional plugin that fails warns and the build succeeds', async () => {
    p.write('analyses/pretrend_like.ts', plugin('pretrend_like', "  reads: ['variant_totals'], writes: {}, optional: true,\n  async run() { throw new Error('not enough pre-period days'); },"));
    const warnings: string[] = [];
    const o = await build({ reporter: (e) => { if (e.type === 'warning') warnings.push(e.message); } });
    expect(o.status).toBe('success');
    expect(analyses(o).filter((r) => r.node === 'analysis:pretrend_like').map((r) => [r.status, reasonText(r)])).toEqual([
      ['skipped', 'optional stage failed: analysis pretrend_like failed: not enough pre-period days'],
      ['skipped', 'optional stage failed: analysis pretrend_like failed: not enough pre-period days'],
    ]);
    expect(warnings).toContain('analysis pretrend_like failed: not enough pre-period days');
    const r = await xp(p.root, 'build', '--select', 'exp_a', '--full-refresh');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('warning exp_a: analysis pretrend_like failed: not enough pre-period days');
  });

  it('a required plugin that fails fails the build (exit 1) and keeps its previous results', async () => {
    await build();
    p.write('analyses/variant_count.ts', p.read('analyses/variant_count.ts').replace('async run(ctx) {', "async run(ctx) {\n    if (ctx.experiment.id === 'exp_a') throw new Error('division by zero');"));
    const r = await xp(p.root, 'build', '--select', 'all');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/FAIL exp_a analysis:variant_count STAGE_FAILED: analysis variant_count failed: division by zero/);
    expect(r.stdout).toMatch(/OK {3}exp_b analysis:variant_count 1 rows/);
    expect(await rows(wh(), "select note from exp.variant_summary where experiment_id = 'exp_a'")).toEqual([{ note: 'A' }]);
  });

  it('ctx.ledger reads and records its own experiment\'s looks and decision', async () => {
    p.write('analyses/ledger_probe.ts', plugin('ledger_probe', [
      "  reads: ['variant_totals'], writes: { ledger_probe: { status: 'varchar', looks: 'bigint' } },",
      '  async run(ctx) {',
      "    await ctx.ledger.recordDecision({ decision: 'keep-running', reason: `probe ${ctx.experiment.id}` });",
      '    const l = await ctx.ledger.lookContext();',
      '    return { ledger_probe: [{ status: l.status, looks: l.looks.length }] };',
      '  },',
    ].join('\n')));
    expect((await build()).status).toBe('success');
    expect(await rows(wh(), 'select * from exp.ledger_probe order by all')).toEqual([
      { experiment_id: 'exp_a', status: 'draft', looks: 0 }, { experiment_id: 'exp_b', status: 'draft', looks: 0 },
    ]);
    const decisions = await withDb(wh(), async (db) => (await readExperimentEvents(db, 'exp_b')).filter((e) => e.kind === 'decision').map((e) => e.payload));
    expect(decisions).toEqual([{ decision: 'keep-running', reason: 'probe exp_b' }]);
  });

  it('rows for an undeclared table, or of the wrong type, fail the plugin and write nothing', async () => {
    await build();
    p.write('analyses/variant_count.ts', p.read('analyses/variant_count.ts').replace(
      "return { variant_summary: rows.map((r) => ({ ...r, note: ctx.experiment.name })) };",
      "return ctx.experiment.id === 'exp_a' ? { other_table: [] } : { variant_summary: [{ variants: 'two', users: 1, note: 'x' }] };",
    ));
    const o = await build();
    const [a, b] = analyses(o);
    expect(a).toMatchObject({ status: 'error', code: 'PLUGIN_INVALID', message: 'plugin variant_count returned rows for "other_table", which it does not declare in writes' });
    expect(b).toMatchObject({ status: 'error', code: 'PLUGIN_INVALID', message: 'variant_count → variant_summary row 1 column variants: expected a number, got "two"' });
    expect(await rows(wh(), 'select experiment_id, note from exp.variant_summary order by all')).toEqual([{ experiment_id: 'exp_a', note: 'A' }, { experiment_id: 'exp_b', note: 'B' }]);
  });
});
