/**
 * What goes wrong with a PostgreSQL raw source, against a real server: each fault is a clear
 * XpError naming the source, table and column, the build exits 1 before any model runs, and
 * the partitions of the last good build stay as they were.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { xp } from '../../helpers/cli.ts';
import { startPostgres, unusedPort, type PgServer } from '../../helpers/postgres.ts';
import type { TempProject } from '../../helpers/project.ts';
import { shippedProject } from '../../helpers/shipped.ts';
import { fingerprints, withDb } from '../../helpers/warehouse.ts';
import { EXP, seedSource, writePgConfig } from './support.ts';

let server: PgServer;
let url: string;
let p: TempProject;
let good: Map<string, string>;

beforeAll(async () => {
  server = await startPostgres();
  url = await server.createDatabase('source');
  p = shippedProject();
  await seedSource(p, url, { exposures: 2000, outcomes: 6000 });
  vi.stubEnv('XP_SOURCE_URL', url);
  const first = await xp(p.root, 'build', '--select', EXP, '--config', writePgConfig(p));
  expect(first.stderr).toBe('');
  expect(first.code).toBe(0);
  good = await withDb(p.file('target/pg.duckdb'), fingerprints);
  vi.unstubAllEnvs();
}, 300_000);
afterEach(() => vi.unstubAllEnvs());
afterAll(() => {
  p?.remove();
  server?.stop();
});

/** Build with the source's URL and tables as given; the warehouse is the one the good build made. */
async function buildWith(sourceUrl: string | undefined, source: Parameters<typeof writePgConfig>[1] = {}) {
  if (sourceUrl !== undefined) vi.stubEnv('XP_SOURCE_URL', sourceUrl);
  const r = await xp(p.root, 'build', '--select', EXP, '--config', writePgConfig(p, source));
  // nothing lost: every partition's fingerprint is the good build's
  expect(await withDb(p.file('target/pg.duckdb'), fingerprints)).toEqual(good);
  return r;
}

describe('PostgreSQL raw source faults', () => {
  it('an unset URL variable names it', async () => {
    const r = await buildWith(undefined);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('error[STORAGE_AUTH]');
    expect(r.stderr).toContain('environment variable XP_SOURCE_URL is not set');
  });

  it('an unreachable server names host and port, without the password', async () => {
    const port = await unusedPort();
    const r = await buildWith(`postgres://postgres:s3cret@127.0.0.1:${port}/source`);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`error[STORAGE_UNAVAILABLE]: cannot reach the raw source postgres://postgres@127.0.0.1:${port}/source: ECONNREFUSED`);
    expect(r.stderr).not.toContain('s3cret');
  });

  it('refused credentials (a role the server does not know)', async () => {
    const r = await buildWith(`postgres://nobody@127.0.0.1:${server.port}/source`);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`error[STORAGE_AUTH]: the raw source postgres://nobody@127.0.0.1:${server.port}/source refused the credentials: role "nobody" does not exist`);
  });

  it('a missing database', async () => {
    const r = await buildWith(server.url('nosuchdb'));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('error[STORAGE_NOT_FOUND]');
    expect(r.stderr).toContain('database "nosuchdb" does not exist');
  });

  it('a missing table names the raw table, the config key and the relation', async () => {
    const r = await buildWith(url, { exposures: 'analytics.no_such_table' });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('error[RAW_SCHEMA_INVALID]');
    expect(r.stderr).toContain(`experiment ${EXP}: raw.exposures (storage.warehouse_source.exposures in postgres://postgres@127.0.0.1:${server.port}/source): relation "analytics.no_such_table" does not exist`);
    const t = await buildWith(url, { outcomes: 'no_such_table' });
    expect(t.stderr).toContain('raw.outcomes (storage.warehouse_source.outcomes');
    expect(t.stderr).toContain('relation "no_such_table" does not exist');
  });

  it('a missing column, a wrong type and a missing experiment_id name the column', async () => {
    const missing = await buildWith(url, { exposures: 'select experiment_id, user_id, exposed_at from exposures' });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('error[RAW_SCHEMA_INVALID]');
    expect(missing.stderr).toContain(`experiment ${EXP}: raw.exposures (storage.warehouse_source.exposures in`);
    expect(missing.stderr).toContain('column "variant" is missing (expected VARCHAR)');
    const wrong = await buildWith(url, { outcomes: 'select experiment_id, user_id, event, event as value, occurred_at from events' });
    expect(wrong.stderr).toContain('raw.outcomes (storage.warehouse_source.outcomes');
    expect(wrong.stderr).toContain('column "value" is VARCHAR, expected DOUBLE');
    const noId = await buildWith(url, { exposures: 'select user_id, variant, exposed_at from exposures' });
    expect(noId.stderr).toContain('column "experiment_id" is missing');
  });

  it('NULL keys are counted and named with the experiment', async () => {
    const r = await buildWith(url, { exposures: "select experiment_id, user_id, case when user_id in ('u1', 'u2') then null else variant end as variant, exposed_at from exposures" });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`raw.exposures (storage.warehouse_source.exposures in postgres://postgres@127.0.0.1:${server.port}/source): 2 row(s) of experiment ${EXP} have NULL in key column "variant"`);
  });

  it('SQL that does not run is the config\'s error', async () => {
    const r = await buildWith(url, { exposures: 'select experiment_id, user_id, variant, exposed_at fro exposures' });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('error[CONFIG_INVALID]');
    expect(r.stderr).toContain(`experiment ${EXP}: raw.exposures (storage.warehouse_source.exposures`);
    expect(r.stderr).toContain('the source SQL does not run: syntax error');
  });
});
