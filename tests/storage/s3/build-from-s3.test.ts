/**
 * `xp build` with the raw store in S3 (s3rver on loopback, the real CLI in-process): the
 * same partitions as a build from the local folder, a warm cache that downloads nothing,
 * new objects picked up, changed objects refused unless accepted, storage failures with
 * their messages and exit 1 leaving the warehouse untouched, and `xp generate` into S3.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { xp } from '../../helpers/cli.ts';
import { miniProject, type TempProject } from '../../helpers/project.ts';
import { fingerprints, partitionHash, withDb } from '../../helpers/warehouse.ts';
import { s3RawStore } from '../../../src/storage/s3/raw-store.ts';
import { s3TestConfig } from '../support/s3-config.ts';
import { S3_CONFIG, uploadMiniRaw, writeS3Config } from '../support/s3-project.ts';
import { S3RVER_CREDENTIALS, startS3Server, type TestS3Server } from '../support/s3-server.ts';

const TABLES = ['stg_events', 'user_values', 'variant_totals', 'variant_summary'] as const;
const IDS = ['exp_a', 'exp_b'] as const;

let server: TestS3Server;
let p: TempProject;
beforeEach(async () => {
  server = await startS3Server(['raw', 'lake']);
  p = await miniProject();
  writeS3Config(p, { endpoint: server.endpoint });
  await uploadMiniRaw(server.endpoint, { exp_a: 0, exp_b: 0 });
  for (const [k, v] of Object.entries(S3RVER_CREDENTIALS)) vi.stubEnv(k, v);
});
afterEach(async () => {
  vi.unstubAllEnvs();
  p.remove();
  await server.dispose();
});

const wh = (project: TempProject = p): string => project.file('target/warehouse.duckdb');
const buildS3 = (...extra: string[]) => xp(p.root, 'build', '--select', 'all', '--config', S3_CONFIG, ...extra);

async function hashes(file: string): Promise<Record<string, { hash: string; n: number }>> {
  return withDb(file, async (db) => {
    const out: Record<string, { hash: string; n: number }> = {};
    for (const t of TABLES) for (const e of IDS) out[`${t}@${e}`] = await partitionHash(db, t, e);
    return out;
  });
}

describe('xp build from S3', () => {
  it('gives the same partitions as the same build from the local folder', async () => {
    const s3 = await buildS3();
    expect(s3.stderr).toBe('');
    expect(s3.code).toBe(0);
    const local = await miniProject();
    try {
      expect((await xp(local.root, 'build', '--select', 'all')).code).toBe(0);
      const fromS3 = await hashes(wh());
      expect(fromS3['stg_events@exp_a']!.n).toBe(200);
      expect(fromS3).toEqual(await hashes(wh(local)));
    } finally {
      local.remove();
    }
  });

  it('the second build downloads nothing and builds nothing', async () => {
    expect((await buildS3()).code).toBe(0);
    const gets = server.objectGets('/raw/');
    expect(gets).toBe(2);
    const again = await buildS3();
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/0 built, \d+ up to date/);
    expect(server.objectGets('/raw/')).toBe(gets);
  });

  it('plans through the scratch, never on the warehouse: staging from S3 must not hold the warehouse', async () => {
    expect((await buildS3()).code).toBe(0);
    rmSync(p.file('target/scratch'), { recursive: true, force: true });
    const again = await buildS3();
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/0 built, \d+ up to date/);
    // a local raw folder's no-op plans on the warehouse and opens no scratch (tests/runner/up-to-date.test.ts)
    expect(existsSync(p.file('target/scratch'))).toBe(true);
  });

  it('picks up a new object and downloads only that one', async () => {
    expect((await buildS3()).code).toBe(0);
    const gets = server.objectGets('/raw/');
    await uploadMiniRaw(server.endpoint, { exp_a: 5 }, 'part-1.parquet');
    const o = await buildS3();
    expect(o.code).toBe(0);
    expect(o.stdout).toContain('exp_a: new raw objects (1)');
    expect(server.objectGets('/raw/')).toBe(gets + 1);
    expect(server.objectGets('part-1.parquet')).toBe(1);
    const n = await withDb(wh(), (db) => partitionHash(db, 'stg_events', 'exp_a'));
    expect(n.n).toBe(400);
  });

  it('refuses an object that changed under existing results (exit 1, naming the key), then builds it with --accept-input-change', async () => {
    expect((await buildS3()).code).toBe(0);
    const before = await hashes(wh());
    const fps = await withDb(wh(), fingerprints);
    await uploadMiniRaw(server.endpoint, { exp_a: 1 });
    const gets = server.objectGets('/raw/');

    const refused = await buildS3();
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('error[INPUT_CHANGED]');
    expect(refused.stderr).toContain('experiment exp_a already has results, but 1 raw object in s3://raw/exp_platform changed since its last build: exp_a/events/part-0.parquet (ETag');
    expect(refused.stderr).toContain('--accept-input-change');
    expect(server.objectGets('/raw/')).toBe(gets); // refused before downloading anything
    expect(await hashes(wh())).toEqual(before);
    expect(await withDb(wh(), fingerprints)).toEqual(fps);

    // refusing recorded nothing: it refuses again
    expect((await buildS3()).code).toBe(1);

    const accepted = await buildS3('--accept-input-change');
    expect(accepted.stderr).toBe('');
    expect(accepted.code).toBe(0);
    expect(accepted.stdout).toContain('warning exp_a: accepting 1 changed raw object(s) (--accept-input-change): exp_a/events/part-0.parquet');
    const after = await hashes(wh());
    expect(after['stg_events@exp_a']!.hash).not.toBe(before['stg_events@exp_a']!.hash);
    expect(after['stg_events@exp_b']).toEqual(before['stg_events@exp_b']);

    // the accepted snapshot is the new baseline: no flag needed any more
    expect((await buildS3()).code).toBe(0);
  });

  it('an experiment without results yet takes changed objects without the flag', async () => {
    expect((await buildS3('--select', 'exp_b')).code).toBe(0);
    await uploadMiniRaw(server.endpoint, { exp_a: 1 });
    expect((await xp(p.root, 'build', '--select', 'exp_a', '--config', S3_CONFIG)).code).toBe(0);
  });

  it('bad credentials: STORAGE_AUTH naming endpoint, bucket and variables, exit 1, warehouse untouched', async () => {
    expect((await buildS3()).code).toBe(0);
    const before = await hashes(wh());
    const fps = await withDb(wh(), fingerprints);
    await uploadMiniRaw(server.endpoint, { exp_a: 2 }, 'part-9.parquet');
    vi.stubEnv('MINIO_ACCESS_KEY', 'NOT-A-KEY');
    const o = await buildS3('--full-refresh');
    expect(o.code).toBe(1);
    expect(o.stderr).toMatch(/^error\[STORAGE_AUTH\] .*configs\/s3\.yaml · experiment exp_a: /);
    expect(o.stderr).toContain(`S3 endpoint ${server.endpoint} refused the credentials (InvalidAccessKeyId) while listing s3://raw/exp_platform/exp_a/ in bucket raw`);
    expect(o.stderr).toContain('check the environment variables MINIO_ACCESS_KEY and MINIO_SECRET_KEY');
    expect(await hashes(wh())).toEqual(before);
    expect(await withDb(wh(), fingerprints)).toEqual(fps);
  });

  it('a missing bucket: STORAGE_NOT_FOUND naming the bucket and endpoint, exit 1', async () => {
    writeS3Config(p, { endpoint: server.endpoint, raw: 's3://no-such-bucket/exp_platform' });
    const o = await buildS3();
    expect(o.code).toBe(1);
    expect(o.stderr).toMatch(/^error\[STORAGE_NOT_FOUND\] /);
    expect(o.stderr).toContain(`bucket no-such-bucket does not exist on ${server.endpoint} (NoSuchBucket) while listing s3://no-such-bucket/exp_platform/exp_a/`);
    expect(o.stderr).toContain('fix storage.raw in');
    const tables = await withDb(wh(), (db) => db.all("select table_name from information_schema.tables where table_schema = 'exp'"));
    expect(tables).toEqual([]);
  });
});

describe('xp generate into S3', () => {
  it('writes the synthetic Parquet to the bucket, seeds the cache, and rewrites nothing the second time', async () => {
    // under experiments:, wherever later top-level keys (analyses:) put the end of the file
    p.write(S3_CONFIG, p.read(S3_CONFIG).replace(/^experiments:\n/m, `experiments:
  exp_synth:
    name: Synthetic
    variants: { control: 0.5, treatment: 0.5 }
    primary_metric: conversion
    start: 2026-01-01
    days: 7
    synth: { seed: 7, n_users: 400 }
`));
    const first = await xp(p.root, 'generate', '--experiment-id', 'exp_synth', '--config', S3_CONFIG);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('→ s3://raw/exp_platform/exp_synth/ (2 written, 0 unchanged)');

    const reader = await s3RawStore(s3TestConfig({ endpoint: server.endpoint, root: path.join(p.root, 'reader') }), { env: S3RVER_CREDENTIALS });
    try {
      const objects = await reader.list('exp_synth');
      expect(objects.map((o) => o.key)).toEqual(['exp_synth/exposures/part-0.parquet', 'exp_synth/outcomes/part-0.parquet']);
      // the project's cache holds exactly what was uploaded (verified against the ETag = MD5)
      const cache = p.file('target/cache/s3/raw/exp_platform');
      for (const o of objects) {
        const bytes = readFileSync(path.join(cache, o.key));
        expect(createHash('md5').update(bytes).digest('hex')).toBe(o.etag);
      }
    } finally {
      await reader.close?.();
    }
    const puts = server.requests.filter((r) => r.method === 'PUT' && r.url.includes('exp_synth')).length;
    const again = await xp(p.root, 'generate', '--experiment-id', 'exp_synth', '--config', S3_CONFIG);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('(0 written, 2 unchanged)');
    expect(server.requests.filter((r) => r.method === 'PUT' && r.url.includes('exp_synth')).length).toBe(puts);
  });
});
