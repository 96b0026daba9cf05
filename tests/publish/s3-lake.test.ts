/**
 * Publishing to an S3 lake (s3rver on loopback, buckets raw and lake): an experiment that
 * lives entirely in S3, one generation of objects after republishing, a reader following
 * the manifest mid-publication, `xp query --lake` through the verified cache while another
 * process holds the warehouse, and ids that try to leave the lake prefix.
 */
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { openDb } from '../../src/engine/connection.ts';
import { loadProject } from '../../src/runner/load-project.ts';
import { s3Lake } from '../../src/publish/s3/lake.ts';
import { publishPartition, type PublishPhase } from '../../src/publish/publish-partition.ts';
import type { Manifest } from '../../src/publish/manifest.ts';
import { queryLakeCommand } from '../../src/cli/commands/query-lake.ts';
import { s3Objects, type S3Objects } from '../../src/storage/s3/objects.ts';
import { xp } from '../helpers/cli.ts';
import { holdWarehouse } from '../helpers/lock.ts';
import { miniProject, type TempProject } from '../helpers/project.ts';
import { rows } from '../helpers/warehouse.ts';
import { S3_CONFIG, uploadMiniRaw, writeS3Config } from '../storage/support/s3-project.ts';
import { S3RVER_CREDENTIALS, startS3Server, type TestS3Server } from '../storage/support/s3-server.ts';
import { PUBLISHED } from './support/lake-project.ts';

const LAKE = 's3://lake/exp_platform';

let server: TestS3Server;
let p: TempProject;
let lakeObjects: S3Objects;
beforeEach(async () => {
  server = await startS3Server(['raw', 'lake']);
  p = await miniProject();
  writeS3Config(p, { endpoint: server.endpoint, lake: LAKE });
  await uploadMiniRaw(server.endpoint, { exp_a: 0, exp_b: 0 });
  for (const [k, v] of Object.entries(S3RVER_CREDENTIALS)) vi.stubEnv(k, v);
  const project = await loadProject(S3_CONFIG, p.root);
  lakeObjects = s3Objects({ ...project.config, root: path.join(p.root, 'inspector') }, { uri: LAKE, field: 'storage.lake' }, { env: S3RVER_CREDENTIALS });
});
afterEach(async () => {
  await lakeObjects.close();
  vi.unstubAllEnvs();
  p.remove();
  await server.dispose();
});

const wh = (): string => p.file('target/warehouse.duckdb');
async function build(...extra: string[]): Promise<string> {
  const r = await xp(p.root, 'build', '--select', 'all', '--config', S3_CONFIG, ...extra);
  if (r.code !== 0) throw new Error(`build failed (${r.code}):\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}
const keys = async (folder = ''): Promise<string[]> => (await lakeObjects.list(folder)).map((o) => o.key);
async function manifest(table: string, id: string): Promise<Manifest> {
  return JSON.parse((await lakeObjects.getText(`${table}/experiment_id=${id}/_manifest.json`))!) as Manifest;
}

describe('publishing to an S3 lake', () => {
  it('publishes every finished partition, and republishing leaves exactly one generation of objects', async () => {
    expect(await build()).toContain(`exp_a: publish (3 published to ${LAKE}, 0 up to date)`);
    const first = await manifest('variant_totals', 'exp_a');
    const expected = async (): Promise<string[]> => {
      const out: string[] = [];
      for (const t of PUBLISHED) for (const id of ['exp_a', 'exp_b']) {
        const m = await manifest(t, id);
        out.push(`${t}/experiment_id=${id}/_manifest.json`, ...m.files.map((f) => `${t}/experiment_id=${id}/${f.name}`));
      }
      return out.sort();
    };
    expect(await keys()).toEqual(await expected());
    // the uploaded objects are what the manifest says (S3 ETag of a single PUT = MD5)
    for (const o of await lakeObjects.list('variant_totals/experiment_id=exp_a')) {
      const f = first.files.find((x) => o.key.endsWith(x.name));
      if (f) expect({ size: o.size, etag: o.etag }).toEqual({ size: f.size, etag: f.md5 });
    }

    await build('--full-refresh');
    const second = await manifest('variant_totals', 'exp_a');
    expect(second.generation).not.toBe(first.generation);
    expect(await keys()).toEqual(await expected());
    expect((await keys('variant_totals/experiment_id=exp_a')).sort()).toEqual([
      `variant_totals/experiment_id=exp_a/_manifest.json`, `variant_totals/experiment_id=exp_a/part-${second.generation}-0.parquet`,
    ].sort());
  });

  it('a reader following the manifest mid-publication sees one generation at a time', async () => {
    await build();
    const project = await loadProject(S3_CONFIG, p.root);
    const look = async (): Promise<number[]> =>
      (await queryLakeCommand(project, `select total from exp.variant_totals where experiment_id = 'exp_a' order by total`)).rows.map((r) => Number(r['total']));
    const seen = new Map<PublishPhase, { totals: number[]; objects: number }>();
    const lake = s3Lake(project.config, LAKE);
    const db = await openDb(wh());
    try {
      await db.run("update exp.variant_totals set total = total + 1000 where experiment_id = 'exp_a'");
      await publishPartition(db, lake, { table: 'variant_totals', experimentId: 'exp_a', fingerprint: 'edited', runId: 'test' }, {
        onPhase: async (phase) => void seen.set(phase, { totals: await look(), objects: (await keys('variant_totals/experiment_id=exp_a')).length }),
      });
    } finally {
      db.close();
      await lake.close();
    }
    expect(seen.get('files-written')).toEqual({ totals: [296, 298], objects: 3 });
    expect(seen.get('manifest-written')).toEqual({ totals: [1296, 1298], objects: 3 });
    expect(seen.get('old-files-deleted')).toEqual({ totals: [1296, 1298], objects: 2 });
  });

  it('xp query --lake reads S3 through the verified cache while another process holds the warehouse', async () => {
    await build();
    const expected = await rows(wh(), 'select * from exp.variant_summary order by all');
    const holder = await holdWarehouse(wh());
    try {
      const sql = 'select * from {{ref "variant_summary"}} order by all';
      const first = await xp(p.root, 'query', '--lake', sql, '--config', S3_CONFIG, '-f', 'json');
      expect(first.stderr).toBe('');
      expect(first.code).toBe(0);
      expect(JSON.parse(first.stdout)).toEqual(expected);
      // part files come from the cache the second time (only the small manifests are read again)
      const parts = server.objectGets('.parquet');
      const again = await xp(p.root, 'query', '--lake', sql, '--config', S3_CONFIG, '-f', 'json');
      expect(again.code).toBe(0);
      expect(server.objectGets('.parquet')).toBe(parts);
      expect(server.objectGets('/lake/')).toBeGreaterThan(parts);
    } finally {
      await holder.release();
    }
  });

  it('an id with ../ cannot leave the lake prefix: refused before any request', async () => {
    await build();
    const project = await loadProject(S3_CONFIG, p.root);
    const lake = s3Lake(project.config, LAKE);
    const db = await openDb(wh());
    const requests = server.requests.length;
    try {
      for (const bad of [{ table: 'variant_totals', experimentId: '../../raw/exp_a' }, { table: 'variant_totals', experimentId: '..' }, { table: '..', experimentId: 'exp_a' }]) {
        await expect(publishPartition(db, lake, { ...bad, fingerprint: 'x', runId: 'test' })).rejects.toMatchObject({ code: 'EXPERIMENT_ID_INVALID' });
      }
      await expect(lakeObjects.putBytes('../raw/exp_a/x.parquet', 'x')).rejects.toMatchObject({ code: 'EXPERIMENT_ID_INVALID' });
    } finally {
      db.close();
      await lake.close();
    }
    expect(server.requests.length).toBe(requests);
  });

  it('a publication that cannot reach the lake fails the build (exit 1) and keeps the previous publication', async () => {
    await build();
    const before = await keys();
    writeS3Config(p, { endpoint: server.endpoint, lake: 's3://no-such-lake/exp_platform' });
    const r = await xp(p.root, 'build', '--select', 'exp_a', '--config', S3_CONFIG, '--full-refresh');
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('warning exp_a: publishing user_values failed, the previous publication stays: bucket no-such-lake does not exist');
    expect(r.stdout).toMatch(/1 failed/);
    expect(await keys()).toEqual(before);
  });
});
