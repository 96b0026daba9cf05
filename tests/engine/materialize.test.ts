/**
 * Materialisations on real DuckDB files: a partition is replaced whole, in one
 * transaction, idempotently, without touching other partitions; a failure keeps the
 * previous good partition and its fingerprint.
 */
import path from 'node:path';
import { rmSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDb, type Db } from '../../src/engine/connection.ts';
import { ensurePlatformTables } from '../../src/engine/platform-store.ts';
import { materializers, type MaterializeRequest } from '../../src/engine/materialize/index.ts';
import { partitionParams } from '../../src/engine/materialize/partitioned.ts';
import { XpError } from '../../src/core/errors.ts';
import { tempDir } from '../helpers/project.ts';
import { fingerprints, partitionHash } from '../helpers/warehouse.ts';

let dir: string;
let db: Db;

beforeEach(async () => {
  dir = tempDir('engine');
  db = await openDb(path.join(dir, 'warehouse.duckdb'));
  await ensurePlatformTables(db);
  // raw events of two experiments, as a staging view would see them
  await db.run(`create table main.raw_events as
    select case when i < 100 then 'exp_a' else 'exp_b' end as experiment_id,
           'u' || (i % 20) as user_id, (i % 7)::double as value
    from range(200) t(i)`);
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

const PER_USER = `select experiment_id, user_id, sum(value) as value, count(*) as n
  from main.raw_events where experiment_id = $experiment_id group by all`;

const req = (over: Partial<MaterializeRequest> & Pick<MaterializeRequest, 'experimentId'>): MaterializeRequest => ({
  model: 'user_values', sql: PER_USER, fingerprint: 'fp-1', runId: 'run-1', ...over,
});
const build = (r: MaterializeRequest): Promise<number> => materializers[r.experimentId === null ? 'table' : 'partitioned'].build(db, r);

async function buildError(r: MaterializeRequest, kind: keyof typeof materializers = 'partitioned'): Promise<XpError | Error> {
  try {
    await materializers[kind].build(db, r);
  } catch (err) {
    return err as Error;
  }
  throw new Error('built without an error');
}

describe('partitioned', () => {
  it('builds a partition and records its fingerprint and row count', async () => {
    expect(await build(req({ experimentId: 'exp_a' }))).toBe(20);
    expect(await db.all('select model, experiment_id, fingerprint, rows, run_id from xp.partitions')).toEqual([
      { model: 'user_values', experiment_id: 'exp_a', fingerprint: 'fp-1', rows: 20, run_id: 'run-1' },
    ]);
  });

  it('building twice gives identical partition contents', async () => {
    await build(req({ experimentId: 'exp_a' }));
    const first = await partitionHash(db, 'user_values', 'exp_a');
    await build(req({ experimentId: 'exp_a', runId: 'run-2' }));
    const second = await partitionHash(db, 'user_values', 'exp_a');
    expect(second).toEqual(first);
    expect(first.n).toBe(20);
    // and the hash does see content: a different SQL gives a different hash
    await build(req({ experimentId: 'exp_a', sql: PER_USER.replace('sum(value)', 'sum(value) + 1') }));
    expect((await partitionHash(db, 'user_values', 'exp_a')).hash).not.toBe(first.hash);
  });

  it('building B leaves A untouched, and rebuilding A leaves B untouched', async () => {
    await build(req({ experimentId: 'exp_a' }));
    const a = await partitionHash(db, 'user_values', 'exp_a');
    await build(req({ experimentId: 'exp_b', fingerprint: 'fp-b' }));
    expect(await partitionHash(db, 'user_values', 'exp_a')).toEqual(a);
    const b = await partitionHash(db, 'user_values', 'exp_b');
    expect(b.n).toBe(20);
    await db.run("update main.raw_events set value = value + 100 where experiment_id = 'exp_a'");
    await build(req({ experimentId: 'exp_a', fingerprint: 'fp-a2' }));
    expect(await partitionHash(db, 'user_values', 'exp_b')).toEqual(b);
    expect((await partitionHash(db, 'user_values', 'exp_a')).hash).not.toBe(a.hash);
    expect(await fingerprints(db)).toEqual(new Map([['user_values@exp_a', 'fp-a2'], ['user_values@exp_b', 'fp-b']]));
  });

  it('a failing model (bad SQL) leaves the previous good partition and its fingerprint intact', async () => {
    await build(req({ experimentId: 'exp_a' }));
    const before = await partitionHash(db, 'user_values', 'exp_a');
    const err = await buildError(req({ experimentId: 'exp_a', fingerprint: 'fp-2', sql: 'select experiment_id, nonexistent_column from main.raw_events where experiment_id = $experiment_id' }));
    expect(err.message).toMatch(/nonexistent_column/);
    expect(await partitionHash(db, 'user_values', 'exp_a')).toEqual(before);
    expect(await fingerprints(db)).toEqual(new Map([['user_values@exp_a', 'fp-1']]));
  });

  it('a failure late in the transaction (a failing audit) rolls back the delete too', async () => {
    await build(req({ experimentId: 'exp_a' }));
    const before = await partitionHash(db, 'user_values', 'exp_a');
    const err = await buildError(req({
      experimentId: 'exp_a', fingerprint: 'fp-2', sql: PER_USER.replace('sum(value)', 'sum(value) * 2'),
      audit: async (tx, rel) => {
        const [r] = await tx.all<{ n: number }>(`select count(*) as n from ${rel} where value > 10`);
        if (r!.n > 0) throw new XpError('TEST_FAILED', `${r!.n} rows above 10`);
      },
    }));
    expect(err).toMatchObject({ code: 'TEST_FAILED' });
    expect(await partitionHash(db, 'user_values', 'exp_a')).toEqual(before);
    expect(await fingerprints(db)).toEqual(new Map([['user_values@exp_a', 'fp-1']]));
  });

  it('an audit sees exactly the new rows', async () => {
    let seen = -1;
    await build(req({ experimentId: 'exp_a', audit: async (tx, rel) => { seen = (await tx.all<{ n: number }>(`select count(*) as n from ${rel}`))[0]!.n; } }));
    expect(seen).toBe(20);
  });

  it('schema evolution: a model that gains a column adds it; other partitions read NULL', async () => {
    await build(req({ experimentId: 'exp_b' }));
    await build(req({ experimentId: 'exp_a', sql: PER_USER.replace('count(*) as n', "count(*) as n, max(value) as max_value, 'x' as tag") }));
    const cols = await db.all<{ column_name: string }>("select column_name from information_schema.columns where table_schema = 'exp' and table_name = 'user_values' order by ordinal_position");
    expect(cols.map((c) => c.column_name)).toEqual(['experiment_id', 'user_id', 'value', 'n', 'max_value', 'tag']);
    expect(await db.all("select experiment_id, count(max_value) as filled, count(*) as n from exp.user_values group by all order by 1")).toEqual([
      { experiment_id: 'exp_a', filled: 20, n: 20 },
      { experiment_id: 'exp_b', filled: 0, n: 20 },
    ]);
  });

  it('schema evolution: a column that changes type is altered', async () => {
    await build(req({ experimentId: 'exp_a', sql: PER_USER.replace('count(*) as n', 'count(*)::integer as n') }));
    await build(req({ experimentId: 'exp_a', sql: PER_USER.replace('count(*) as n', 'count(*)::double / 2 as n') }));
    const [col] = await db.all<{ data_type: string }>("select data_type from information_schema.columns where table_schema = 'exp' and table_name = 'user_values' and column_name = 'n'");
    expect(col!.data_type).toBe('DOUBLE');
    expect((await db.all<{ n: number }>("select min(n) as n from exp.user_values"))[0]!.n).toBe(2.5);
  });

  it('refuses rows of another experiment, keeping the previous partition', async () => {
    await build(req({ experimentId: 'exp_a' }));
    const before = await partitionHash(db, 'user_values', 'exp_a');
    const err = await buildError(req({ experimentId: 'exp_a', sql: 'select experiment_id, user_id, value from main.raw_events' }));
    expect(err).toBeInstanceOf(XpError);
    expect(err).toMatchObject({ code: 'MODEL_INVALID', message: 'partitioned model user_values produced 100 rows of other experiments', location: { model: 'user_values', experiment: 'exp_a' } });
    expect(await partitionHash(db, 'user_values', 'exp_a')).toEqual(before);
  });

  it('refuses NULL experiment ids as rows of no partition', async () => {
    const err = await buildError(req({ experimentId: 'exp_a', sql: "select null::varchar as experiment_id, 1 as x" }));
    expect(err).toMatchObject({ code: 'MODEL_INVALID', message: 'partitioned model user_values produced 1 rows of other experiments' });
  });

  it('refuses a model without an experiment_id column', async () => {
    const err = await buildError(req({ experimentId: 'exp_a', sql: 'select user_id from main.raw_events where experiment_id = $experiment_id' }));
    expect(err).toMatchObject({ code: 'MODEL_INVALID', message: 'partitioned model user_values has no experiment_id column' });
  });

  it('binds the experiment id as a parameter, so quotes in it cannot break out of SQL', async () => {
    const evil = "exp_a' or '1'='1";
    await db.run('insert into main.raw_events values ($1, $2, $3)', [evil, 'u_evil', 1]);
    expect(await build(req({ experimentId: evil }))).toBe(1);
    expect(await db.all('select experiment_id, user_id from exp.user_values')).toEqual([{ experiment_id: evil, user_id: 'u_evil' }]);
  });

  it('binds the partition parameter only when the SQL uses it', () => {
    expect(partitionParams('select 1', 'exp_a')).toEqual({});
    expect(partitionParams('select $experiment_id', 'exp_a')).toEqual({ experiment_id: 'exp_a' });
  });

  it('a partitioned model without a partition is an internal error', async () => {
    const err = await buildError(req({ experimentId: null }));
    expect(err).toMatchObject({ code: 'INTERNAL' });
  });
});

describe('view, table, ephemeral', () => {
  it('a view is replaced and reads current data', async () => {
    const r = { model: 'v_totals', sql: 'select experiment_id, sum(value) as total from main.raw_events group by all', experimentId: null, fingerprint: 'fv', runId: 'r' };
    expect(await materializers.view.build(db, r)).toBe(0);
    await materializers.view.build(db, { ...r, sql: r.sql.replace('sum(value)', 'count(*)') });
    expect(await db.all('select * from exp.v_totals order by 1')).toEqual([{ experiment_id: 'exp_a', total: 100 }, { experiment_id: 'exp_b', total: 100 }]);
    expect((await fingerprints(db)).get('v_totals@')).toBe('fv');
  });

  it('a table is replaced whole and counts its rows; a failure keeps the old table', async () => {
    const r = { model: 't_users', sql: 'select distinct user_id from main.raw_events', experimentId: null, fingerprint: 'ft1', runId: 'r' };
    expect(await materializers.table.build(db, r)).toBe(20);
    const before = await db.all('select * from exp.t_users order by 1');
    const err = await buildError({ ...r, fingerprint: 'ft2', sql: 'select no_such_column from main.raw_events' }, 'table');
    expect(err.message).toMatch(/no_such_column/);
    expect(await db.all('select * from exp.t_users order by 1')).toEqual(before);
    expect((await fingerprints(db)).get('t_users@')).toBe('ft1');
  });

  it('an ephemeral model creates nothing and records nothing', async () => {
    expect(await materializers.ephemeral.build(db, { model: 'eph', sql: 'select 1', experimentId: null, fingerprint: 'fe', runId: 'r' })).toBe(0);
    expect(await db.all("select table_name from information_schema.tables where table_name = 'eph'")).toEqual([]);
    expect(await fingerprints(db)).toEqual(new Map());
  });
});
