/**
 * `runBuild` end to end on the mini fixture (real DuckDB file, real Parquet): idempotent
 * partitions, incremental rebuilds, isolation between experiments, failures that keep
 * the previous partition, and target/run_results.json.
 */
import { existsSync, readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadProject } from '../../src/runner/load-project.ts';
import { runBuild, type BuildOptions, type BuildOutcome } from '../../src/runner/run-build.ts';
import { warehousePath } from '../../src/core/paths.ts';
import { miniProject, writeMiniRaw, type TempProject } from '../helpers/project.ts';
import { fingerprints, partitionHash, withDb } from '../helpers/warehouse.ts';

const TABLES = ['stg_events', 'user_values', 'variant_totals', 'variant_summary'] as const;

let p: TempProject;
beforeEach(async () => {
  p = await miniProject();
});
afterEach(() => p.remove());

async function build(opts: Partial<BuildOptions> = {}): Promise<BuildOutcome> {
  const project = await loadProject('configs/dev.yaml', p.root);
  return runBuild(project, { select: 'all', ...opts });
}

const wh = (): string => p.file('target/warehouse.duckdb');

/** Content hashes of every partitioned table for each experiment. */
async function hashes(): Promise<Record<string, { hash: string; n: number }>> {
  return withDb(wh(), async (db) => {
    const out: Record<string, { hash: string; n: number }> = {};
    for (const t of TABLES) for (const e of ['exp_a', 'exp_b']) out[`${t}@${e}`] = await partitionHash(db, t, e);
    return out;
  });
}

const built = (o: BuildOutcome): string[] => o.results.filter((r) => r.status === 'success').map((r) => `${r.node}@${r.experimentId ?? '-'}`).sort();

describe('runBuild', () => {
  it('builds every partition, the project table and the analysis', async () => {
    const o = await build();
    expect(o.status).toBe('success');
    expect(built(o)).toEqual([
      'all_totals@-', 'analysis:variant_count@exp_a', 'analysis:variant_count@exp_b',
      'stg_events@exp_a', 'stg_events@exp_b', 'user_values@exp_a', 'user_values@exp_b', 'variant_totals@exp_a', 'variant_totals@exp_b',
    ]);
    const rows = await withDb(wh(), (db) => db.all('select experiment_id, variant, n, total, experiment_name from exp.variant_totals order by all'));
    expect(rows).toEqual([
      { experiment_id: 'exp_a', variant: 'control', n: 25, total: 296, experiment_name: 'A' },
      { experiment_id: 'exp_a', variant: 'treatment', n: 25, total: 298, experiment_name: 'A' },
      { experiment_id: 'exp_b', variant: 'control', n: 25, total: 296, experiment_name: 'B' },
      { experiment_id: 'exp_b', variant: 'treatment', n: 25, total: 298, experiment_name: 'B' },
    ]);
    expect(await withDb(wh(), (db) => db.all('select * from exp.variant_summary order by all'))).toEqual([
      { experiment_id: 'exp_a', variants: 2, users: 50, note: 'A' },
      { experiment_id: 'exp_b', variants: 2, users: 50, note: 'B' },
    ]);
  });

  it('building twice gives identical partition contents and the second build builds nothing', async () => {
    await build();
    const first = await hashes();
    const fps = await withDb(wh(), fingerprints);
    const second = await build();
    expect(built(second)).toEqual([]);
    expect(second.results.filter((r) => r.status === 'skipped').every((r) => r.reason === 'fresh' || r.reason === 'ephemeral')).toBe(true);
    expect(await hashes()).toEqual(first);
    expect(await withDb(wh(), fingerprints)).toEqual(fps);
  });

  it('--full-refresh rebuilds everything and yields the same contents', async () => {
    await build();
    const first = await hashes();
    const again = await build({ fullRefresh: true });
    expect(built(again).length).toBe(9);
    expect(again.steps.filter((s) => s.action === 'build').every((s) => s.reason === 'full-refresh')).toBe(true);
    expect(await hashes()).toEqual(first);
  });

  it('building B leaves A untouched', async () => {
    await build({ select: 'exp_a' });
    const a = await hashes();
    await writeMiniRaw(p.file('raw'), { exp_b: 3 });
    const o = await build({ select: 'exp_b' });
    expect(o.experiments).toEqual(['exp_b']);
    const after = await hashes();
    for (const t of TABLES) expect(after[`${t}@exp_a`]).toEqual(a[`${t}@exp_a`]);
    expect(after['stg_events@exp_b']!.n).toBe(200);
  });

  it('new raw data rebuilds only that experiment, and the project table that reads it', async () => {
    await build();
    const before = await hashes();
    const totalsBefore = await withDb(wh(), (db) => db.all('select * from exp.all_totals order by all'));
    // a new object (a running experiment's data grows); a changed one is refused (INPUT_CHANGED)
    await writeMiniRaw(p.file('raw'), { exp_a: 1 }, 'part-1.parquet');
    const o = await build();
    expect(built(o)).toEqual(['all_totals@-', 'analysis:variant_count@exp_a', 'stg_events@exp_a', 'user_values@exp_a', 'variant_totals@exp_a']);
    const after = await hashes();
    expect(after['stg_events@exp_a']!.hash).not.toBe(before['stg_events@exp_a']!.hash);
    expect(after['stg_events@exp_a']!.n).toBe(400);
    for (const t of TABLES) expect(after[`${t}@exp_b`]).toEqual(before[`${t}@exp_b`]);
    const totalsAfter = await withDb(wh(), (db) => db.all<{ experiment_id: string; total: number }>('select * from exp.all_totals order by all'));
    expect(totalsAfter).not.toEqual(totalsBefore);
    expect(totalsAfter.find((r) => r.experiment_id === 'exp_b')).toEqual((totalsBefore as typeof totalsAfter).find((r) => r.experiment_id === 'exp_b'));
  });

  it('a changed model rebuilds it and its descendants in every partition', async () => {
    await build();
    p.write('models/marts/variant_totals.sql', p.read('models/marts/variant_totals.sql').replace('count(*) as n', 'count(*) as n, min(value) as min_value'));
    const o = await build();
    expect(built(o)).toEqual(['all_totals@-', 'analysis:variant_count@exp_a', 'analysis:variant_count@exp_b', 'variant_totals@exp_a', 'variant_totals@exp_b']);
    const cols = await withDb(wh(), (db) => db.all<{ column_name: string }>("select column_name from information_schema.columns where table_name = 'variant_totals'"));
    expect(cols.map((c) => c.column_name)).toContain('min_value');
  });

  it('a failing model: error names the model and compiled SQL, descendants skip, the other experiment and the previous partition are intact', async () => {
    await build();
    const before = await hashes();
    const fps = await withDb(wh(), fingerprints);
    p.write('models/core/user_values.sql', p.read('models/core/user_values.sql').replace('sum(value) as value', 'sum(value) as value, no_such_column'));
    const o = await build({ select: 'exp_a' });
    expect(o.status).toBe('error');
    const failed = o.results.find((r) => r.status === 'error')!;
    expect(failed).toMatchObject({ node: 'user_values', experimentId: 'exp_a', code: 'MODEL_FAILED' });
    expect(failed.message).toMatch(/^model user_values failed: Binder Error: .*no_such_column/);
    expect(o.results.find((r) => r.node === 'variant_totals')).toMatchObject({ status: 'skipped', reason: 'upstream-failed', upstream: 'user_values' });
    expect(o.results.find((r) => r.node === 'analysis:variant_count')).toMatchObject({ status: 'skipped' });
    expect(readFileSync(p.file('target/compiled/exp_a/user_values.sql'), 'utf8')).toContain('no_such_column');
    expect(await hashes()).toEqual(before);
    expect(await withDb(wh(), fingerprints)).toEqual(fps);
  });

  it('a failing model in one experiment does not stop another', async () => {
    p.write('models/core/user_values.sql', p.read('models/core/user_values.sql').replace(
      'where value >= {{var "min_value"}}',
      `where value >= {{#if (eq experiment.id "exp_a")}}no_such_column{{else}}{{var "min_value"}}{{/if}}`,
    ));
    const o = await build();
    expect(o.status).toBe('error');
    expect(o.results.filter((r) => r.status === 'error').map((r) => `${r.node}@${r.experimentId}`)).toEqual(['user_values@exp_a']);
    expect(built(o)).toContain('variant_totals@exp_b');
    expect(built(o)).toContain('analysis:variant_count@exp_b');
    expect(await withDb(wh(), (db) => db.all("select count(*) as n from exp.variant_totals where experiment_id = 'exp_a'"))).toEqual([{ n: 0 }]);
  });

  it('writes target/run_results.json and an xp.runs row', async () => {
    const o = await build({ command: 'xp build --select all' });
    expect(o.runResultsPath).toBe(p.file('target/run_results.json'));
    const run = JSON.parse(readFileSync(o.runResultsPath!, 'utf8'));
    expect(run).toMatchObject({ run_id: o.runId, command: 'xp build --select all', status: 'success' });
    expect(run.results).toHaveLength(o.results.length);
    expect(run.results[0]).toMatchObject({ experimentId: 'exp_a', node: 'stg_events', status: 'success', rows: 200 });
    expect(typeof run.elapsed_seconds).toBe('number');
    const runs = await withDb(wh(), (db) => db.all<{ run_id: string; status: string; results_json: string }>('select run_id, status, results_json from xp.runs'));
    expect(runs).toHaveLength(1);
    expect(runs[0]!.run_id).toBe(o.runId);
    expect(JSON.parse(runs[0]!.results_json)).toEqual(run.results);
  });

  it('--models narrows the graph and --skip-metrics skips that stage', async () => {
    const o = await build({ models: '+user_values' });
    expect(o.steps.map((s) => `${s.model}@${s.experimentId}`)).toEqual(['stg_events@exp_a', 'user_values@exp_a', 'stg_events@exp_b', 'user_values@exp_b']);
    const s = await build({ skip: new Set(['metrics']) });
    expect(s.results.filter((r) => r.node === 'variant_totals').map((r) => r.reason)).toEqual(['flag', 'flag']);
    expect(s.results.find((r) => r.node === 'analysis:variant_count')).toMatchObject({ status: 'skipped' });
  });

  it('a dry run returns the plan and writes nothing', async () => {
    const o = await build({ dryRun: true });
    expect(o.dryRun).toBe(true);
    expect(o.results).toEqual([]);
    expect(o.steps.filter((s) => s.action === 'build')).toHaveLength(7);
    expect(existsSync(p.file('target'))).toBe(false);
    expect(existsSync(warehousePath(await (await loadProject('configs/dev.yaml', p.root)).config))).toBe(false);
  });
});
