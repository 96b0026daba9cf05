/**
 * `xp build` through runCli (fake stdout/stderr): exit codes, messages, dry runs,
 * incremental rebuilds, and bad raw data on the mini fixture.
 */
import { copyFileSync, existsSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { miniProject, type TempProject } from '../helpers/project.ts';
import { xp } from '../helpers/cli.ts';
import { BUILTIN_PLUGIN_NAMES } from '../../src/analyses/builtin/index.ts';
import { fingerprints, partitionHash, withDb } from '../helpers/warehouse.ts';

let p: TempProject;
beforeEach(async () => {
  p = await miniProject();
});
afterEach(() => p.remove());

const wh = (): string => p.file('target/warehouse.duckdb');
const stgHash = (id: string) => withDb(wh(), (db) => partitionHash(db, 'stg_events', id));

describe('xp build', () => {
  it('builds, prints one line per model and a summary, exit 0; a second build builds nothing', async () => {
    const first = await xp(p.root, 'build', '--select', 'all');
    expect(first.code).toBe(0);
    expect(first.stderr).toBe('');
    expect(first.stdout).toContain('plan: 7 to build, 0 up to date, 0 skipped, then 1 analysis for each of 2 experiments (9 steps)\n');
    expect(first.stdout).toMatch(/^1\/9 OK {3}exp_a stg_events 200 rows in \d+\.\d+s$/m);
    expect(first.stdout).toMatch(/^done in \S+, 9 steps: 9 built, 0 up to date, 0 skipped, 0 failed$/m);
    expect(first.stdout).toContain(`results: ${p.file('target/run_results.json')}`);
    const second = await xp(p.root, 'build', '--select', 'all');
    expect(second.code).toBe(0);
    expect(second.stdout).toContain('plan: 0 to build, 7 up to date, 0 skipped, then 1 analysis for each of 2 experiments (9 steps)\n');
    expect(second.stdout).toMatch(/^done in \S+, 9 steps: 0 built, 9 up to date, 0 skipped, 0 failed$/m);
  });

  it('--full-refresh rebuilds', async () => {
    await xp(p.root, 'build', '--select', 'all');
    const r = await xp(p.root, 'build', '--select', 'exp_a', '--full-refresh');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('plan: 4 to build, 0 up to date, 0 skipped, then 1 analysis for exp_a (5 steps)\n');
    expect(r.stdout).toMatch(/: 5 built, 0 up to date/);
  });

  it('--dry-run prints the plan and SQL and writes nothing: no warehouse, no target/compiled', async () => {
    const r = await xp(p.root, 'build', '--select', 'all', '--dry-run');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('  build exp_a stg_events [partitioned, ingest] new\n');
    expect(r.stdout).toContain('  skip  (project) filtered [ephemeral, ingest] ephemeral\n');
    expect(r.stdout).toContain('dry run: nothing was written.');
    expect(r.stdout).toContain("-- exp_a · stg_events (new)\nselect experiment_id, user_id, variant, value from read_parquet(");
    expect(existsSync(p.file('target'))).toBe(false);
  });

  it('--dry-run on a built warehouse shows what is fresh and changes nothing', async () => {
    await xp(p.root, 'build', '--select', 'all');
    const mtime = statSync(wh()).mtimeMs;
    const before = await withDb(wh(), fingerprints);
    rmSync(p.file('target/compiled'), { recursive: true });
    p.write('models/core/user_values.sql', p.read('models/core/user_values.sql').replace('sum(value)', 'sum(value) * 1'));
    const r = await xp(p.root, 'build', '--select', 'exp_a', '--dry-run');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('plan: 3 to build, 1 up to date, 0 skipped, then 1 analysis for exp_a (5 steps)\n');
    expect(r.stdout).toContain('  skip  exp_a stg_events [partitioned, ingest] fresh\n');
    expect(r.stdout).toContain('  build exp_a user_values [partitioned, ingest] stale\n');
    expect(existsSync(p.file('target/compiled'))).toBe(false);
    expect(statSync(wh()).mtimeMs).toBe(mtime);
    expect(await withDb(wh(), fingerprints)).toEqual(before);
  });

  it('an unknown experiment exits 2 and lists the configured ids', async () => {
    const r = await xp(p.root, 'build', '--select', 'exp_c');
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('error[EXPERIMENT_UNKNOWN] experiment exp_c: unknown experiment "exp_c"\n  hint: configured experiments: exp_a, exp_b; add it under experiments: or configs/experiments/\n');
    expect(existsSync(p.file('target'))).toBe(false);
  });

  it('an unknown model selector exits 2', async () => {
    const r = await xp(p.root, 'build', '--select', 'all', '--models', 'tag:nope');
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('error[SELECTOR_INVALID]: selector "tag:nope": no model has tag "nope"\n  hint: run `xp ls` to list models, tags and paths\n');
  });

  it('bad usage (missing --select, unknown option) exits 2', async () => {
    expect((await xp(p.root, 'build')).code).toBe(2);
    expect((await xp(p.root, 'build', '--select', 'all', '--frobnicate')).code).toBe(2);
    expect((await xp(p.root, 'nonsense')).code).toBe(2);
    const help = await xp(p.root, '--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: xp');
  });

  it('a failing model exits 1 naming the model and the compiled SQL path; the previous partition stays', async () => {
    await xp(p.root, 'build', '--select', 'all');
    const before = await withDb(wh(), (db) => partitionHash(db, 'user_values', 'exp_a'));
    p.write('models/core/user_values.sql', 'select experiment_id, user_id, no_such_column from {{ref "stg_events"}}\n');
    const r = await xp(p.root, 'build', '--select', 'exp_a');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^2\/5 FAIL exp_a user_values MODEL_FAILED: model user_values failed: Binder Error: .*no_such_column/m);
    expect(r.stdout).toContain(`\n         compiled SQL: ${p.file('target/compiled/exp_a/user_values.sql')}\n`);
    expect(r.stdout).toContain('3/5 SKIP exp_a variant_totals upstream user_values failed');
    expect(r.stdout).toMatch(/ 1 failed$/m);
    const results = JSON.parse(p.read('target/run_results.json'));
    expect(results.status).toBe('error');
    expect(results.results.find((x: { status: string }) => x.status === 'error')).toMatchObject({
      node: 'user_values', code: 'MODEL_FAILED', file: p.file('target/compiled/exp_a/user_values.sql'),
    });
    expect(existsSync(p.file('target/compiled/exp_a/user_values.sql'))).toBe(true);
    expect(p.read('target/compiled/exp_a/user_values.sql')).toContain('no_such_column');
    expect(await withDb(wh(), (db) => partitionHash(db, 'user_values', 'exp_a'))).toEqual(before);
  });

  it('the failing model error names the compiled SQL file', async () => {
    const { modelError, compiledPath } = await import('../../src/runner/apply.ts');
    const step = { experimentId: 'exp_a', model: 'user_values', materialized: 'partitioned', stage: 'ingest', action: 'build', reason: 'new', fingerprint: 'f', sql: '' } as const;
    const file = compiledPath(p.file('target'), step);
    expect(file).toBe(p.file('target/compiled/exp_a/user_values.sql'));
    const err = modelError(step, file, new Error('Binder Error: Referenced column "x" not found\nLINE 1: ...'));
    expect(err.code).toBe('MODEL_FAILED');
    expect(err.message).toBe('model user_values failed: Binder Error: Referenced column "x" not found');
    expect(err.location).toEqual({ file, model: 'user_values', experiment: 'exp_a' });
    expect(err.hint).toBe('read the compiled SQL at that path; the previous partition is intact');
  });

  it('a corrupt raw file (truncated Parquet) is RAW_DATA_CORRUPT naming the object, exit 1, previous partition intact', async () => {
    await xp(p.root, 'build', '--select', 'all');
    const before = { a: await stgHash('exp_a'), b: await stgHash('exp_b') };
    const fpsBefore = await withDb(wh(), fingerprints);
    // a new object that arrived damaged (a rewritten one is refused earlier: INPUT_CHANGED)
    const file = p.file('raw/exp_a/events/part-1.parquet');
    copyFileSync(p.file('raw/exp_a/events/part-0.parquet'), file);
    truncateSync(file, Math.floor(statSync(file).size / 2));
    const r = await xp(p.root, 'build', '--select', 'all');
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`1/9 FAIL exp_a stg_events RAW_DATA_CORRUPT: cannot read raw file ${file}: `);
    const results = JSON.parse(p.read('target/run_results.json'));
    expect(results.results.find((x: { code?: string }) => x.code === 'RAW_DATA_CORRUPT')).toMatchObject({ node: 'stg_events', experimentId: 'exp_a' });
    expect(await stgHash('exp_a')).toEqual(before.a);
    expect(await stgHash('exp_b')).toEqual(before.b);
    const fpsAfter = await withDb(wh(), fingerprints);
    expect(fpsAfter.get('stg_events@exp_a')).toBe(fpsBefore.get('stg_events@exp_a'));
  });

  it('a raw object rewritten under existing results stops the build (INPUT_CHANGED), naming it; the partition stays', async () => {
    await xp(p.root, 'build', '--select', 'all');
    const before = await stgHash('exp_a');
    const file = p.file('raw/exp_a/events/part-0.parquet');
    truncateSync(file, Math.floor(statSync(file).size / 2));
    const r = await xp(p.root, 'build', '--select', 'exp_a');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`^error\\[INPUT_CHANGED\\] experiment exp_a · object file://${p.file('raw')}/exp_a/events/part-0.parquet: experiment exp_a already has results, but 1 raw object in file://${p.file('raw')} changed since its last build: exp_a/events/part-0.parquet \\(ETag `));
    expect(await stgHash('exp_a')).toEqual(before);
  });

  it('a raw file that is not Parquet at all is RAW_DATA_CORRUPT too', async () => {
    writeFileSync(p.file('raw/exp_b/events/part-0.parquet'), 'this is not parquet');
    const r = await xp(p.root, 'build', '--select', 'exp_b');
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`FAIL exp_b stg_events RAW_DATA_CORRUPT: cannot read raw file ${p.file('raw/exp_b/events/part-0.parquet')}`);
  });

  it('missing raw data is RAW_DATA_MISSING, exit 1, with the command that creates it', async () => {
    rmSync(p.file('raw/exp_b'), { recursive: true });
    const r = await xp(p.root, 'build', '--select', 'exp_b');
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      'error[RAW_DATA_MISSING] model stg_events · experiment exp_b · object exp_b/events/: no raw events files for experiment exp_b\n' +
      '  hint: generate synthetic data with `xp generate --select exp_b` or load Parquet files there\n',
    );
  });

  it('an experiment without a synth block cannot be generated: exit 2', async () => {
    const r = await xp(p.root, 'build', '--select', 'exp_a', '--generate-synth');
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n')[0]).toMatch(/^error\[CONFIG_INVALID\] .*configs\/dev\.yaml:13 · experiment exp_a: experiment exp_a has no synth: block, so there is nothing to generate$/);
  });

  it('--skip skips an analysis plugin by name (the project\'s own plugins included)', async () => {
    const r = await xp(p.root, 'build', '--select', 'exp_a', '--skip', 'variant_count', '--verbose');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/SKIP exp_a analysis:variant_count flag\n/);
    const tables = await withDb(wh(), (db) => db.all("select table_name from information_schema.tables where table_name = 'variant_summary'"));
    expect(tables).toEqual([]);
  });

  it('has a --skip-<stage> flag for dq, metrics, memo and each built-in plugin of the registry', async () => {
    const help = (await xp(p.root, 'build', '--help')).stdout;
    for (const stage of ['dq', 'metrics', 'memo', ...BUILTIN_PLUGIN_NAMES]) expect(help).toContain(`--skip-${stage} `);
    expect(BUILTIN_PLUGIN_NAMES).toEqual(expect.arrayContaining(['ab', 'cuped', 'did', 'pretrends', 'srm', 'sequential', 'decision']));
    const r = await xp(p.root, 'build', '--select', 'exp_a', '--dry-run', '--skip-metrics', '--skip-ab');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('  skip  exp_a variant_totals [partitioned, metrics] flag\n');
  });

  it('--skip with an unknown stage is a usage error naming it and the stages you can skip, exit 2', async () => {
    const r = await xp(p.root, 'build', '--select', 'exp_a', '--skip', 'variant_count,nope');
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('error[USAGE]: --skip: unknown stage "nope"\n  hint: stages you can skip: dq, metrics, memo, variant_count\n');
    expect(existsSync(wh())).toBe(false);
  });
});
