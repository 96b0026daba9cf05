/**
 * The PostgreSQL raw store against a real server, below the CLI: snapshots (content hash
 * and change_column), partition-scoped extraction with progress, and ids that never reach
 * SQL text: the statement log shows the id only as a bound parameter, and an id built as an
 * injection, sent straight to the snapshot and extraction queries, reads no rows and drops
 * nothing.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb } from '../../../src/engine/connection.ts';
import { loadConfig } from '../../../src/project/load-config.ts';
import { connectSource } from '../../../src/storage/postgres/connect.ts';
import { extractToParquet } from '../../../src/storage/postgres/extract.ts';
import { postgresRawStore } from '../../../src/storage/postgres/raw-store.ts';
import { EXPERIMENT_SETTING, extractSql, shapeSql, snapshotSql } from '../../../src/storage/postgres/source-sql.ts';
import type { RawStore } from '../../../src/storage/types.ts';
import { startPostgres, type PgServer } from '../../helpers/postgres.ts';
import type { TempProject } from '../../helpers/project.ts';
import { shippedProject } from '../../helpers/shipped.ts';
import { EXP, OTHER, seedSource, sql, writePgConfig } from './support.ts';

let server: PgServer;
let url: string;
let p: TempProject;

beforeAll(async () => {
  server = await startPostgres();
  url = await server.createDatabase('source');
  p = shippedProject();
  await seedSource(p, url, { exposures: 1000, outcomes: 3000 });
}, 120_000);
afterAll(() => {
  p?.remove();
  server?.stop();
});

async function openStore(source: Parameters<typeof writePgConfig>[1] = {}): Promise<RawStore> {
  const config = loadConfig(writePgConfig(p, source), p.root);
  return postgresRawStore(config, { env: { XP_SOURCE_URL: url } });
}

async function withStore<T>(fn: (s: RawStore) => Promise<T>, source: Parameters<typeof writePgConfig>[1] = {}): Promise<T> {
  const store = await openStore(source);
  try {
    return await fn(store);
  } finally {
    await store.close?.();
  }
}

describe('PostgreSQL raw store', () => {
  it('lists one object per source table with its row count, extracts only the experiment\'s rows, and reports row progress', async () => {
    await withStore(async (store) => {
      const objects = await store.list(EXP);
      expect(objects.map((o) => [o.key, o.size])).toEqual([[`${EXP}/exposures/postgres.parquet`, 1000], [`${EXP}/outcomes/postgres.parquet`, 3000]]);
      const progress: [number, number][] = [];
      const paths = await store.localPaths(EXP, objects, (done, total) => progress.push([done, total]));
      expect(progress.at(-1)).toEqual([4000, 4000]);
      const db = await openDb(':memory:');
      try {
        const [r] = await db.all<{ n: number; ids: string; cols: string }>(
          `select count(*)::int as n, string_agg(distinct experiment_id, ',') as ids from read_parquet($f)`, { f: paths.get(objects[1]!.key)! });
        expect(r).toEqual({ n: 3000, ids: EXP });
        const cols = await db.columns('select * from read_parquet($f)', { f: paths.get(objects[1]!.key)! });
        expect(cols).toEqual([
          { name: 'experiment_id', type: 'VARCHAR' }, { name: 'user_id', type: 'VARCHAR' }, { name: 'event', type: 'VARCHAR' },
          { name: 'value', type: 'DOUBLE' }, { name: 'occurred_at', type: 'TIMESTAMP' }, { name: 'updated_at', type: 'TIMESTAMP WITH TIME ZONE' },
        ]);
      } finally {
        db.close();
      }
      expect((await store.list(OTHER)).map((o) => o.size)).toEqual([50, 50]);
      expect(await store.list('exp_pricing_test_003')).toEqual([]);
    });
  });

  it('COPY and the cursor (the Redshift path) extract the same rows, NULLs, empty strings and quotes included', async () => {
    await sql(url, `create table odd (experiment_id text, user_id text, variant text, exposed_at timestamptz, n numeric, ok boolean)`);
    await sql(url, `insert into odd values ($1, '', 'a"b,c', '2026-01-05 10:00:00.123456+02', 1.25, true), ($1, null, E'line\nbreak', null, null, false), ($1, 'u', '''q''', '2026-01-06', -0.5, null)`, [EXP]);
    const c = await connectSource(url, 'XP_SOURCE_URL');
    const db = await openDb(':memory:');
    try {
      expect(c.copyOut).toBe(true);
      const fields = (await c.query(shapeSql('odd'))).fields;
      const read = async (method: 'copy' | 'cursor') => {
        const file = p.file(`target/odd-${method}.parquet`);
        await c.query('begin');
        await c.query(`select set_config('${EXPERIMENT_SETTING}', $1, true)`, [EXP]);
        expect(await extractToParquet(c, extractSql('odd'), fields, file, { batchRows: 2, method })).toBe(3);
        await c.query('rollback');
        return db.all(`select user_id, variant, exposed_at::varchar as t, n, ok from read_parquet($f) order by variant`, { f: file });
      };
      const viaCopy = await read('copy');
      expect(viaCopy).toEqual([
        { user_id: 'u', variant: "'q'", t: '2026-01-06 00:00:00+00', n: -0.5, ok: null },
        { user_id: '', variant: 'a"b,c', t: '2026-01-05 08:00:00.123456+00', n: 1.25, ok: true },
        { user_id: null, variant: 'line\nbreak', t: null, n: null, ok: false },
      ]);
      expect(await read('cursor')).toEqual(viaCopy);
    } finally {
      db.close();
      await c.end();
    }
  });

  it('the content snapshot changes with any value; the change_column snapshot only with that column or the row count', async () => {
    const etags = async (source: Parameters<typeof writePgConfig>[1] = {}) => withStore(async (s) => (await s.list(EXP)).map((o) => o.etag), source);
    const content0 = await etags();
    const column0 = await etags({ change_column: 'updated_at' });
    expect(await etags()).toEqual(content0);

    await sql(url, "update events set value = value + 0.5 where experiment_id = $1 and user_id = 'u7'", [EXP]);
    const content1 = await etags();
    expect(content1[0]).toBe(content0[0]);
    expect(content1[1]).not.toBe(content0[1]);
    // the documented trade-off: an update that leaves updated_at alone is not seen
    expect(await etags({ change_column: 'updated_at' })).toEqual(column0);

    await sql(url, "update events set updated_at = '2026-02-01 00:00:00+00' where experiment_id = $1 and user_id = 'u7'", [EXP]);
    expect((await etags({ change_column: 'updated_at' }))[1]).not.toBe(column0[1]);
    await sql(url, "insert into events (experiment_id, user_id, event, value, occurred_at) values ($1, 'u1', 'view', 1, '2026-01-06')", [EXP]);
    expect(await withStore(async (s) => (await s.list(EXP))[1]!.size)).toBe(3001);
  });

  it('rows that change between listing and extraction are refused and nothing is cached', async () => {
    await withStore(async (store) => {
      const objects = await store.list(OTHER);
      await sql(url, "update exposures set variant = 'treatment' where experiment_id = $1 and user_id = 'u3'", [OTHER]);
      await expect(store.localPaths(OTHER, objects)).rejects.toMatchObject({
        code: 'INPUT_CHANGED',
        message: expect.stringContaining(`raw.exposures (storage.warehouse_source.exposures in postgres://postgres@127.0.0.1:${server.port}/source): the rows of experiment ${OTHER} changed while the build started`),
      });
      expect(readdirSync(p.file('target/cache/postgres'), { recursive: true, encoding: 'utf8' }).filter((f) => f.includes(OTHER) && f.endsWith('.parquet'))).toEqual([]);
      // listed again, the new snapshot extracts
      const again = await store.list(OTHER);
      expect((await store.localPaths(OTHER, again)).size).toBe(2);
    });
  });

  it('sends the experiment id only as a bound parameter (statement log)', async () => {
    const logFile = path.join(path.dirname((await sql(url, 'show data_directory')).rows[0].data_directory as string), 'server.log');
    await sql(url, "alter system set log_statement = 'all'");
    await sql(url, 'select pg_reload_conf()');
    const from = readFileSync(logFile, 'utf8').length;
    try {
      await withStore(async (s) => s.localPaths(EXP, await s.list(EXP)));
    } finally {
      await sql(url, 'alter system reset log_statement');
      await sql(url, 'select pg_reload_conf()');
    }
    const lines = readFileSync(logFile, 'utf8').slice(from).split('\n');
    // statements span lines: their continuation lines carry the where clauses
    const text = lines.join('\n');
    expect(text).toContain(`execute <unnamed>: select set_config('${EXPERIMENT_SETTING}', $1, true)`);
    expect(text).toContain('where xp_source.experiment_id = $1');
    expect(text).toContain(`where xp_source.experiment_id = current_setting('${EXPERIMENT_SETTING}')`);
    const withId = lines.filter((l) => l.includes(EXP));
    expect(withId.length).toBeGreaterThan(0);
    for (const l of withId) expect(l).toMatch(/DETAIL: {2}parameters: \$1 = 'exp_checkout_button_001'/);
  });

  it('an injection through the id reads no rows and drops nothing', async () => {
    await sql(url, 'create table victim (x int)');
    const evil = "x' or '1'='1'; drop table victim; --";
    const c = await connectSource(url, 'XP_SOURCE_URL');
    try {
      const [snap] = (await c.query(snapshotSql('exposures', { kind: 'content' }, ['variant']), [evil])).rows;
      expect(snap!['n']).toBe('0');
      await c.query('begin');
      await c.query(`select set_config('${EXPERIMENT_SETTING}', $1, true)`, [evil]);
      const file = p.file('target/evil.parquet');
      const fields = (await c.query('select * from exposures where false')).fields;
      expect(await extractToParquet(c, extractSql('exposures'), fields, file, { batchRows: 100 })).toBe(0);
      await c.query('rollback');
    } finally {
      await c.end();
    }
    expect((await sql(url, "select to_regclass('victim') is not null as present")).rows[0].present).toBe(true);
  });
});
