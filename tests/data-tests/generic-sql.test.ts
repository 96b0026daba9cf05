/** Each generic test's SQL on a small table: which rows it reports, with and without `where`. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb, type Db } from '../../src/engine/connection.ts';
import { describeFailures, genericSql } from '../../src/data-tests/generic-sql.ts';
import type { GenericArgs } from '../../src/data-tests/types.ts';

let db: Db;

beforeAll(async () => {
  db = await openDb(':memory:');
  await db.run(`create table t as select * from (values
    ('u1', 'control', 1.0, 'a'),
    ('u2', 'treatment', 0.5, 'a'),
    ('u2', 'treatment', -1.0, 'b'),
    (null, 'ctrl', 2.0, 'b'),
    ('u4', null, null, 'c')
  ) as v(user_id, variant, value, grp)`);
  await db.run(`create table parent as select * from (values ('u1'), ('u2')) as v(user_id)`);
});
afterAll(() => db.close());

async function failing(args: GenericArgs, rows = 't'): Promise<number> {
  const sql = genericSql(args, rows, (m) => m);
  const [r] = await db.all<{ n: number }>(`select count(*) as n from (${sql})`);
  return r!.n;
}

describe('generic test SQL', () => {
  const cases: [string, GenericArgs, number][] = [
    ['not_null finds the null user', { kind: 'not_null', column: 'user_id' }, 1],
    ['not_null passes on a full column', { kind: 'not_null', column: 'grp' }, 0],
    ['unique reports each duplicated value once, ignoring nulls', { kind: 'unique', columns: ['user_id'] }, 1],
    ['unique on a combination', { kind: 'unique', columns: ['user_id', 'variant'] }, 1],
    ['unique on a combination that is unique', { kind: 'unique', columns: ['user_id', 'grp'] }, 0],
    ['accepted_values reports each unexpected value, not nulls', { kind: 'accepted_values', column: 'variant', values: ['control', 'treatment'] }, 1],
    ['relationships reports values missing from the parent', { kind: 'relationships', column: 'user_id', to: 'parent', field: 'user_id' }, 1],
    ['accepted_range with min', { kind: 'accepted_range', column: 'value', min: 0, inclusive: true }, 1],
    ['accepted_range inclusive bounds', { kind: 'accepted_range', column: 'value', min: -1, max: 2, inclusive: true }, 0],
    ['accepted_range exclusive bounds', { kind: 'accepted_range', column: 'value', min: -1, max: 2, inclusive: false }, 2],
    ['row_count within bounds', { kind: 'row_count', min: 1, max: 5 }, 0],
    ['row_count above max', { kind: 'row_count', max: 4 }, 1],
    ['row_count below min', { kind: 'row_count', min: 6 }, 1],
    ['expression_is_true', { kind: 'expression_is_true', expression: 'value < 2' }, 1],
  ];
  it.each(cases)('%s', async (_name, args, n) => {
    expect(await failing(args)).toBe(n);
  });

  it('where narrows the rows first', async () => {
    expect(await failing({ kind: 'not_null', column: 'user_id' }, "(select * from t where grp = 'a')")).toBe(0);
  });

  it('describes failures in words', () => {
    expect(describeFailures({ kind: 'accepted_range', column: 'value', min: 0, inclusive: true }, 1)).toBe('1 row where value is outside [0, ∞)');
    expect(describeFailures({ kind: 'accepted_range', column: 'p', min: 0, max: 1, inclusive: false }, 3)).toBe('3 rows where p is outside (0, 1)');
    expect(describeFailures({ kind: 'unique', columns: ['a', 'b'] }, 2)).toBe('2 duplicated values of a + b');
    expect(describeFailures({ kind: 'row_count', min: 1 }, 1)).toBe('row count outside [1, ∞)');
    expect(describeFailures({ kind: 'relationships', column: 'user_id', to: 'exposures', field: 'user_id' }, 4)).toBe('4 values of user_id not found in exposures.user_id');
  });
});
