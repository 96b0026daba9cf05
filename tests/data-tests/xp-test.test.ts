/** `xp test` on the fixture: output, exit codes, run_results.json, selection. */
import { afterEach, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { testedProject, type Fixture } from './fixture.ts';
import { xp } from './cli.ts';

let f: Fixture | undefined;
afterEach(() => f?.remove());

/** test lines without the time column */
function lines(stdout: string): string[] {
  return stdout.split('\n').filter((l) => /^(PASS|FAIL|WARN|ERROR|SKIP)/.test(l)).map((l) => l.replace(/^(\S+)\s+\d+\.\d+s\s+/, '$1 '));
}

describe('xp test', () => {
  it('runs unit tests, then data tests per built partition, and exits 0 when all pass', async () => {
    f = await testedProject();
    expect((await xp(f.root, 'build', '--select', 'all')).code).toBe(0);
    const r = await xp(f.root, 'test', '--select', 'exp_a');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(lines(r.stdout)).toEqual([
      'PASS unit  user_values::sums_values_in_window',
      'PASS unit  user_values::users_first_seen_before_start_are_dropped',
      'PASS unit  variant_totals::one_row_per_variant',
      'PASS exp_a  not_null_stg_events_user_id',
      'PASS exp_a  not_null_user_values_user_id',
      'PASS exp_a  unique_user_values_user_id',
      'PASS exp_a  relationships_user_values_user_id',
      'PASS exp_a  accepted_values_user_values_variant',
      'PASS exp_a  accepted_range_user_values_value',
      'PASS exp_a  value_below_1000',
      'PASS exp_a  row_count_user_values',
      'PASS exp_a  unique_user_values_experiment_id__user_id',
      'PASS exp_a  not_null_variant_totals_variant',
      'PASS exp_a  unique_variant_totals_variant',
      'PASS exp_a  expression_is_true_variant_totals_users',
      'PASS exp_a  row_count_variant_totals',
      'PASS exp_a  totals_match_users',
    ]);
    expect(r.stdout).toMatch(/\n17 tests in \d+\.\d+s: 17 passed, 0 failed, 0 warned, 0 errored, 0 skipped\nresults: .*run_results\.json\n$/);
    const run = JSON.parse(readFileSync(f.file('target/run_results.json'), 'utf8'));
    expect(run).toMatchObject({ kind: 'test', command: 'xp test --select exp_a', status: 'success' });
    expect(run.results).toHaveLength(17);
    expect(run.results[3]).toMatchObject({ id: 'not_null_stg_events_user_id', type: 'generic', model: 'stg_events', experimentId: 'exp_a', status: 'pass', failures: 0, location: 'models/staging/stg_events.yml:6' });
  });

  it('fails with exit 1 and shows the failing rows; warn-severity failures do not fail', async () => {
    f = await testedProject();
    expect((await xp(f.root, 'build', '--select', 'exp_a')).code).toBe(0);
    // tighten the tests after the build: the stored rows now break two of them
    f.write('models/marts/variant_totals.yml', `columns:
  - name: users
    tests:
      - accepted_values: { values: [21] }
      - accepted_range: { max: 19, severity: warn }
`);
    const r = await xp(f.root, 'test', '--models', 'variant_totals', '--type', 'data');
    expect(r.code).toBe(1);
    const out = r.stdout.replace(/ +\d+\.\d+s/g, ' T');
    expect(out).toContain([
      'FAIL T  exp_a  accepted_values_variant_totals_users  1 unexpected value of users (accepted: 21)',
      '        at models/marts/variant_totals.yml:4',
      '        value  n_records',
      '        20     2',
      'WARN T  exp_a  accepted_range_variant_totals_users  2 rows where users is outside (-∞, 19]',
      '        at models/marts/variant_totals.yml:5',
      '        experiment_id  variant    users  total',
    ].join('\n'));
    expect(out).toContain('SKIP T  exp_b  accepted_values_variant_totals_users  variant_totals is not built for exp_b: run xp build --select exp_b');
    // the singular test refs variant_totals too
    expect(lines(r.stdout).filter((l) => l.includes('totals_match_users'))).toEqual(['PASS exp_a  totals_match_users', 'SKIP exp_b  totals_match_users  variant_totals is not built for exp_b: run xp build --select exp_b']);
    expect(out).toContain('6 tests in T: 1 passed, 1 failed, 1 warned, 0 errored, 3 skipped');
    expect(JSON.parse(readFileSync(f.file('target/run_results.json'), 'utf8')).status).toBe('error');
  });

  it('tests an ephemeral model over its rendered SQL, reading the partition\'s raw files', async () => {
    f = await testedProject();
    f.write('models/core/first_seen.yml', `columns:
  - name: user_id
    tests: [not_null, unique]
  - name: variant
    tests:
      - accepted_values: { values: [control] }
`);
    expect((await xp(f.root, 'build', '--select', 'exp_a')).code).toBe(0);
    const r = await xp(f.root, 'test', '--models', 'first_seen', '--type', 'generic');
    expect(r.code).toBe(1);
    expect(lines(r.stdout)).toEqual([
      'PASS exp_a  not_null_first_seen_user_id',
      'PASS exp_a  unique_first_seen_user_id',
      'FAIL exp_a  accepted_values_first_seen_variant  1 unexpected value of variant (accepted: control)',
      'SKIP exp_b  not_null_first_seen_user_id  nothing is built for exp_b: run xp build --select exp_b',
      'SKIP exp_b  unique_first_seen_user_id  nothing is built for exp_b: run xp build --select exp_b',
      'SKIP exp_b  accepted_values_first_seen_variant  nothing is built for exp_b: run xp build --select exp_b',
    ]);
    expect(r.stdout).toContain('        treatment  20');
  });

  it('reports data tests as skipped before any build, and unit tests still run', async () => {
    f = await testedProject();
    const r = await xp(f.root, 'test', '--models', 'stg_events');
    expect(r.code).toBe(0);
    expect(lines(r.stdout)).toEqual(['SKIP (project)  not_null_stg_events_user_id  no warehouse at target/warehouse.duckdb: run xp build first']);
  });

  it.each([
    [['test', '--type', 'integration'], 2, 'error[USAGE]: unknown test type "integration"'],
    [['test', '--models', 'nope'], 2, 'error[SELECTOR_INVALID]: selector "nope": no model named "nope"'],
    [['test', '--select', 'exp_zz', '--type', 'data'], 2, 'error[EXPERIMENT_UNKNOWN] experiment exp_zz: unknown experiment "exp_zz"'],
  ])('xp %j exits %i', async (argv, code, message) => {
    f = await testedProject([]);
    const r = await xp(f.root, ...argv);
    expect(r.code).toBe(code);
    expect(r.stderr.split('\n')[0]).toBe(message);
  });
});
