/** Data tests as build audits: a failing error test keeps the previous good partition. */
import { afterEach, describe, expect, it } from 'vitest';
import { openDb } from '../../src/engine/connection.ts';
import { eventsSql, testedProject, type Fixture } from './fixture.ts';
import { xp } from './cli.ts';

let f: Fixture | undefined;
afterEach(() => f?.remove());

async function partition(f: Fixture, table: string, id: string): Promise<{ n: number; total: number }> {
  const db = await openDb(f.file('target/warehouse.duckdb'), { readOnly: true });
  try {
    const [r] = await db.all<{ n: number; total: number }>(`select count(*) as n, coalesce(sum(value), 0) as total from exp."${table}" where experiment_id = $1`, [id]);
    return r!;
  } finally {
    db.close();
  }
}

const steps = (stdout: string): string[] => stdout.split('\n').filter((l) => /^\s*\d+(-\d+)?\/\d+ /.test(l) || l.startsWith('warning')).map((l) => l.replace(/ in \d+\.\d+s$/, ''));

describe('xp build runs the data tests', () => {
  it('fails the model on an error-severity failure, keeps the previous partition and skips its descendants', async () => {
    f = await testedProject();
    expect((await xp(f.root, 'build', '--select', 'all')).code).toBe(0);
    const before = await partition(f, 'user_values', 'exp_a');
    // a new raw object with a negative value breaks accepted_range { min: 0 } on user_values
    await f.writeRaw('exp_a', "select 'exp_a' as experiment_id, 'u_new' as user_id, 'control' as variant, -5.0 as value, timestamp '2026-01-06 00:00:00' as ts", 'part-1.parquet');
    const r = await xp(f.root, 'build', '--select', 'all');
    expect(r.code).toBe(1);
    expect(steps(r.stdout)).toEqual([
      // one count over models and analyses; exp_b's unchanged steps join into one line
      '1/8 OK   exp_a stg_events 121 rows',
      '2/8 FAIL exp_a user_values TEST_FAILED: data test failed on the new rows of user_values: accepted_range_user_values_value (1 row where value is outside [0, ∞))',
      '3/8 SKIP exp_a variant_totals upstream user_values failed',
      '4-6/8 SKIP exp_b stg_events … variant_totals fresh (3 steps)',
      '7/8 SKIP exp_a analysis:variant_share upstream variant_totals failed',
      '8/8 SKIP exp_b analysis:variant_share fresh',
    ]);
    expect(await partition(f, 'user_values', 'exp_a')).toEqual(before);
  });

  it('reports a warn-severity failure as a warning and keeps the new rows', async () => {
    f = await testedProject({ exp_a: eventsSql('exp_a', { valueShift: 400 }) });
    const r = await xp(f.root, 'build', '--select', 'exp_a');
    expect(r.code).toBe(0);
    expect(steps(r.stdout)).toEqual([
      '1/4 OK   exp_a stg_events 120 rows',
      'warning exp_a: user_values: test value_below_1000 (40 rows where value is outside (-∞, 1000]) (severity warn)',
      '2/4 OK   exp_a user_values 40 rows',
      '3/4 OK   exp_a variant_totals 2 rows',
      '4/4 OK   exp_a analysis:variant_share 2 rows',
    ]);
    expect((await partition(f, 'user_values', 'exp_a')).n).toBe(40);
  });

  it('runs a singular test as an audit of the last model it refs', async () => {
    f = await testedProject(['exp_a']);
    f.write('tests/models/singular/no_big_totals.sql', 'select * from {{ref "variant_totals"}} where total > 10');
    const r = await xp(f.root, 'build', '--select', 'exp_a');
    expect(r.code).toBe(1);
    expect(steps(r.stdout)[2]).toBe('3/4 FAIL exp_a variant_totals TEST_FAILED: data test failed on the new rows of variant_totals: no_big_totals (2 failing rows)');
  });
});
