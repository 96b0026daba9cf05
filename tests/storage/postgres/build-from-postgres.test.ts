/**
 * `xp build` with the raw tables in a real PostgreSQL (the state tests' throwaway server on
 * loopback), the real CLI in-process: 100k exposures and 300k events give partitions equal,
 * row for row, to the same build from the same data as Parquet; an unchanged source rebuilds
 * nothing; a changed one is refused under existing results (INPUT_CHANGED) with nothing lost.
 */
import { readdirSync, statSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { xp } from '../../helpers/cli.ts';
import { startPostgres, type PgServer } from '../../helpers/postgres.ts';
import type { TempProject } from '../../helpers/project.ts';
import { shippedProject } from '../../helpers/shipped.ts';
import { fingerprints, partitionHash, withDb } from '../../helpers/warehouse.ts';
import { EXP, seedSource, sql, writePgConfig } from './support.ts';

let server: PgServer;
let url: string;
let p: TempProject;
let config: string;

beforeAll(async () => {
  server = await startPostgres();
  url = await server.createDatabase('source');
  p = shippedProject();
  await seedSource(p, url, { exposures: 100_000, outcomes: 300_000 });
  config = writePgConfig(p);
  vi.stubEnv('XP_SOURCE_URL', url);
}, 240_000);
afterAll(() => {
  vi.unstubAllEnvs();
  p?.remove();
  server?.stop();
});

const buildPg = (...extra: string[]) => xp(p.root, 'build', '--select', EXP, '--config', config, ...extra);

/** Every partition of EXP in a warehouse, by model: content hash and row count. */
async function partitions(file: string): Promise<Record<string, { hash: string; n: number }>> {
  return withDb(file, async (db) => {
    const models = (await db.all<{ model: string }>('select distinct model from xp.partitions where experiment_id = $1 and model not like \'%:%\' order by model', [EXP])).map((r) => r.model);
    const out: Record<string, { hash: string; n: number }> = {};
    for (const m of models) out[m] = await partitionHash(db, m, EXP);
    return out;
  });
}

describe('xp build from PostgreSQL', () => {
  it('builds partitions equal, row for row, to the same data as Parquet', async () => {
    const fromPg = await buildPg();
    expect(fromPg.stderr).toBe('');
    expect(fromPg.code).toBe(0);
    const fromParquet = await xp(p.root, 'build', '--select', EXP);
    expect(fromParquet.code).toBe(0);
    const a = await partitions(p.file('target/pg.duckdb'));
    const b = await partitions(p.file('target/warehouse.duckdb'));
    expect(Object.keys(a).length).toBeGreaterThan(5);
    expect(a['exposures']!.n).toBe(100_000);
    expect(a['outcomes']!.n).toBeGreaterThan(0);
    expect(a).toEqual(b);
  }, 600_000);

  it('an unchanged source builds nothing and extracts nothing', async () => {
    const cached = readdirSync(p.file('target/cache/postgres'), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('postgres.parquet'));
    expect(cached.length).toBe(2);
    const mtimes = cached.map((f) => statSync(p.file('target/cache/postgres', f)).mtimeMs);
    const again = await buildPg();
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('plan: 0 to build');
    expect(cached.map((f) => statSync(p.file('target/cache/postgres', f)).mtimeMs)).toEqual(mtimes);
  }, 300_000);

  it('refuses rows changed under existing results (exit 1, nothing lost), then builds them with --accept-input-change', async () => {
    const wh = p.file('target/pg.duckdb');
    const before = await partitions(wh);
    const fps = await withDb(wh, fingerprints);
    await sql(url, `update events set value = value + 1 where experiment_id = $1 and user_id = 'u42'`, [EXP]);

    const refused = await buildPg();
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('error[INPUT_CHANGED]');
    expect(refused.stderr).toContain(`experiment ${EXP} already has results, but 1 raw object in postgres:postgres://postgres@127.0.0.1:${server.port}/source changed since its last build: ${EXP}/outcomes/postgres.parquet`);
    expect(await partitions(wh)).toEqual(before);
    expect(await withDb(wh, fingerprints)).toEqual(fps);

    const accepted = await buildPg('--accept-input-change');
    expect(accepted.stderr).toBe('');
    expect(accepted.code).toBe(0);
    const after = await partitions(wh);
    expect(after['outcomes']!.hash).not.toBe(before['outcomes']!.hash);
    expect(after['exposures']).toEqual(before['exposures']);
  }, 600_000);
});
