/** The DuckDB door: plain rows, transactions, typed lock and open errors, the Kysely dialect. */
import path from 'node:path';
import { existsSync, rmSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDb, type Db } from '../../src/engine/connection.ts';
import { ensurePlatformTables, platformDb } from '../../src/engine/platform-store.ts';
import { XpError } from '../../src/core/errors.ts';
import { tempDir } from '../helpers/project.ts';
import { holdWarehouse } from '../helpers/lock.ts';

let dir: string;
let file: string;
let db: Db | undefined;
beforeEach(() => {
  dir = tempDir('conn');
  file = path.join(dir, 'sub', 'warehouse.duckdb');
});
afterEach(() => {
  db?.close();
  db = undefined;
  rmSync(dir, { recursive: true, force: true });
});

async function openError(f: string, readOnly: boolean): Promise<XpError> {
  try {
    (await openDb(f, { readOnly, waitSeconds: 0 })).close();
  } catch (err) {
    if (err instanceof XpError) return err;
    throw err;
  }
  throw new Error('opened without an error');
}

describe('openDb', () => {
  it('creates the folder and returns plain JS values', async () => {
    db = await openDb(file);
    expect(existsSync(file)).toBe(true);
    expect(await db.all(`select 1::bigint as small, 9007199254740993::hugeint as big, date '2026-01-05' as d,
      timestamp '2026-01-05 10:30:00' as ts, [1, 2]::bigint[] as l, {'a': 1::bigint} as s, null as z, 0.5 as x, 'x' as v`)).toEqual([
      { small: 1, big: '9007199254740993', d: '2026-01-05', ts: '2026-01-05T10:30:00.000Z', l: [1, 2], s: { a: 1 }, z: null, x: 0.5, v: 'x' },
    ]);
  });

  it('binds positional and named parameters', async () => {
    db = await openDb(':memory:');
    expect(await db.all('select $1 as a, $2 as b', ['x', 2])).toEqual([{ a: 'x', b: 2 }]);
    expect(await db.all('select $name as a', { name: "it's" })).toEqual([{ a: "it's" }]);
  });

  it('describes a query without running it', async () => {
    db = await openDb(':memory:');
    expect(await db.columns('select 1 as a, \'x\' as b')).toEqual([{ name: 'a', type: 'INTEGER' }, { name: 'b', type: 'VARCHAR' }]);
  });

  it('a transaction commits when it resolves and rolls back when it throws; nested ones join', async () => {
    db = await openDb(file);
    await db.run('create table t (x integer)');
    await db.transaction(async (tx) => {
      await tx.run('insert into t values (1)');
      await tx.transaction(async (inner) => inner.run('insert into t values (2)'));
    });
    await expect(db.transaction(async (tx) => {
      await tx.run('insert into t values (3)');
      throw new Error('boom');
    })).rejects.toThrow('boom');
    expect(await db.all('select x from t order by x')).toEqual([{ x: 1 }, { x: 2 }]);
    // usable after a rollback
    await db.transaction(async (tx) => tx.run('insert into t values (4)'));
    expect(await db.all('select count(*) as n from t')).toEqual([{ n: 3 }]);
  });

  it('a read-only open of a missing warehouse says to build first', async () => {
    const err = await openError(path.join(dir, 'missing.duckdb'), true);
    expect(err.code).toBe('QUERY_FAILED');
    expect(err.hint).toBe('run `xp build` first to create the warehouse');
  });

  it('a file that is not a DuckDB database is QUERY_FAILED naming the file', async () => {
    const { writeFileSync, mkdirSync } = await import('node:fs');
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, 'not a database, just text '.repeat(400));
    const err = await openError(file, false);
    expect(err.code).toBe('QUERY_FAILED');
    expect(err.location.file).toBe(file);
  });

  it('a warehouse held by another process is WAREHOUSE_LOCKED (exit 3) naming the holder', async () => {
    (await openDb(file)).close();
    const holder = await holdWarehouse(file);
    try {
      for (const readOnly of [false, true]) {
        const err = await openError(file, readOnly);
        expect(err.code).toBe('WAREHOUSE_LOCKED');
        expect(err.exitCode).toBe(3);
        expect(err.message).toBe(`the warehouse ${file} stayed in use by another process (pid ${holder.pid}) longer than we wait for it`);
      }
    } finally {
      await holder.release();
    }
    (await openDb(file, { readOnly: true })).close();
  });

  it('opening a held warehouse waits for the holder to let go (a build commits in short sections)', async () => {
    (await openDb(file)).close();
    const holder = await holdWarehouse(file);
    const opening = openDb(file, { readOnly: true, waitSeconds: 60 });
    let opened = false;
    void opening.then(() => (opened = true), () => undefined);
    await new Promise((r) => setTimeout(r, 300));
    expect(opened).toBe(false); // still held
    await holder.release();
    (await opening).close();
  });
});

describe('Kysely over the door', () => {
  it('inserts, selects, updates and deletes platform rows with typed queries', async () => {
    db = await openDb(file);
    await ensurePlatformTables(db);
    await ensurePlatformTables(db); // idempotent
    const k = platformDb(db);
    await k.insertInto('xp.partitions').values({ model: 'm', experiment_id: 'exp_a', fingerprint: 'f1', rows: 3, built_at: '2026-01-01', run_id: 'r1' }).execute();
    await k.insertInto('xp.partitions').values({ model: 'm', experiment_id: "exp_'b", fingerprint: 'f2', rows: 4, built_at: '2026-01-01', run_id: 'r1' }).execute();
    const upd = await k.updateTable('xp.partitions').set({ fingerprint: 'f3' }).where('experiment_id', '=', "exp_'b").executeTakeFirst();
    expect(upd.numUpdatedRows).toBe(1n);
    const rows = await k.selectFrom('xp.partitions').select(['experiment_id', 'fingerprint', 'rows']).orderBy('experiment_id').execute();
    expect(rows).toEqual([{ experiment_id: "exp_'b", fingerprint: 'f3', rows: 4 }, { experiment_id: 'exp_a', fingerprint: 'f1', rows: 3 }]);
    await k.deleteFrom('xp.partitions').where('model', '=', 'm').execute();
    expect(await k.selectFrom('xp.partitions').selectAll().execute()).toEqual([]);
  });

  it('a Kysely transaction rolls back on error', async () => {
    db = await openDb(file);
    await ensurePlatformTables(db);
    const k = platformDb(db);
    await expect(k.transaction().execute(async (trx) => {
      await trx.insertInto('xp.runs').values({ run_id: 'r', started_at: 's', finished_at: null, command: 'c', status: 'ok', results_json: '[]' }).execute();
      throw new Error('abort');
    })).rejects.toThrow('abort');
    expect(await db.all('select count(*) as n from xp.runs')).toEqual([{ n: 0 }]);
  });
});
