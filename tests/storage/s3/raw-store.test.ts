/**
 * The S3 raw store against a real S3-protocol server (s3rver) on loopback: listing,
 * snapshots, download into the cache, cache reuse, new and changed objects.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { XpError } from '../../../src/core/errors.ts';
import { diffSnapshots } from '../../../src/storage/snapshot-diff.ts';
import { writeFile } from '../support/s3-config.ts';
import { startFaultProxy } from '../support/fault-proxy.ts';
import { startS3DevProcess } from '../support/s3-dev-process.ts';
import { md5, useS3Fixture } from '../support/s3-fixture.ts';

const fx = useS3Fixture();
const store = fx.store;
const seed = fx.seed;

describe('list', () => {
  it('returns the experiment objects relative to the store root, sorted, with size and ETag', async () => {
    await seed('exp_1', { 'outcomes/part-0.parquet': 'o0', 'exposures/part-1.parquet': 'e1-longer', 'exposures/part-0.parquet': 'e0' });
    await seed('exp_10', { 'exposures/part-0.parquet': 'other experiment, same leading characters' });
    const reader = await store('reader');
    expect(reader.uri).toBe('s3://raw/exp_platform');
    expect(await reader.list('exp_1')).toEqual([
      { key: 'exp_1/exposures/part-0.parquet', size: 2, etag: md5('e0') },
      { key: 'exp_1/exposures/part-1.parquet', size: 9, etag: md5('e1-longer') },
      { key: 'exp_1/outcomes/part-0.parquet', size: 2, etag: md5('o0') },
    ]);
  });

  it('is empty for an experiment without objects', async () => {
    expect(await (await store('reader')).list('exp_none')).toEqual([]);
  });
});

describe('list across pages (s3:dev server in its own process)', () => {
  // s3rver's ListObjectsV2 continuation tokens need OpenSSL's legacy provider (DES), so this
  // runs the `npm run s3:dev` script as a child process, the way a developer would.
  it('follows continuation tokens across pages', async () => {
    const dev = await startS3DevProcess(path.join(fx.tmp, 's3rver-data'));
    // A pass-through proxy in front, only to count the listing requests.
    const counter = await startFaultProxy(Number(new URL(dev.endpoint).port), () => ({ kind: 'forward' }));
    try {
      expect(dev.output).toContain('buckets: raw, lake');
      expect(dev.output).toContain('export MINIO_ACCESS_KEY=S3RVER MINIO_SECRET_KEY=S3RVER');
      const paged = await store('paged', { listPageSize: 2 }, { endpoint: counter.endpoint });
      const keys = Array.from({ length: 5 }, (_, i) => `exposures/part-${i}.parquet`);
      for (const key of keys) await paged.put('exp_1', key, writeFile(fx.tmp, 'page-upload', key));
      expect((await paged.list('exp_1')).map((o) => o.key)).toEqual(keys.map((k) => `exp_1/${k}`));
      expect(counter.seen.filter((r) => r.url.includes('list-type=2'))).toHaveLength(3);
    } finally {
      await counter.stop();
      await dev.stop();
    }
  });
});

describe('localPaths', () => {
  it('downloads into <cache>/s3/<bucket>/<prefix>/<key>, reports progress, and downloads nothing the second time', async () => {
    await seed('exp_1', { 'exposures/part-0.parquet': 'e0', 'exposures/part-1.parquet': 'e1', 'outcomes/part-0.parquet': 'o0' });
    const reader = await store('reader');
    const objects = await reader.list('exp_1');
    const progress: [number, number, string][] = [];
    const paths = await reader.localPaths('exp_1', objects, (done, total, key) => progress.push([done, total, key]));

    const cacheRoot = fx.cacheRoot('reader');
    expect(paths.get('exp_1/exposures/part-0.parquet')).toBe(path.join(cacheRoot, 'exp_1', 'exposures', 'part-0.parquet'));
    expect([...paths.keys()]).toEqual(objects.map((o) => o.key));
    for (const o of objects) expect(md5(readFileSync(paths.get(o.key)!))).toBe(o.etag);
    expect(fx.server.objectGets()).toBe(3);
    expect(progress.map(([d, t]) => [d, t])).toEqual([[1, 3], [2, 3], [3, 3]]);
    expect(progress.map(([, , k]) => k).sort()).toEqual(objects.map((o) => o.key));
    // Only the data files and their hidden sidecars: no temp files left behind.
    expect(readdirSync(path.join(cacheRoot, 'exp_1', 'exposures')).sort()).toEqual([
      '.part-0.parquet.meta.json', '.part-1.parquet.meta.json', 'part-0.parquet', 'part-1.parquet',
    ]);

    const again = await reader.localPaths('exp_1', await reader.list('exp_1'));
    expect(again).toEqual(paths);
    expect(fx.server.objectGets()).toBe(3);

    // A fresh store over the same cache (the next `xp build`) trusts the sidecars too.
    const nextRun = await store('reader');
    await nextRun.localPaths('exp_1', await nextRun.list('exp_1'));
    expect(fx.server.objectGets()).toBe(3);
  });

  it('downloads at most 4 objects at a time', async () => {
    const files = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`exposures/part-${i}.parquet`, Buffer.alloc(256 * 1024, i)]));
    await seed('exp_1', files);
    let inFlight = 0;
    let peak = 0;
    fx.server.hook = (req, res) => {
      if (req.method !== 'GET' || !req.url?.includes('GetObject')) return;
      peak = Math.max(peak, ++inFlight);
      res.once('close', () => inFlight--);
    };
    const reader = await store('reader');
    await reader.localPaths('exp_1', await reader.list('exp_1'));
    expect(fx.server.objectGets()).toBe(10);
    expect(peak).toBeGreaterThan(1);
    expect(peak).toBeLessThanOrEqual(4);
  });

  it('picks up a new object and downloads only that one', async () => {
    await seed('exp_1', { 'exposures/part-0.parquet': 'e0' });
    const reader = await store('reader');
    const first = await reader.list('exp_1');
    await reader.localPaths('exp_1', first);
    await seed('exp_1', { 'exposures/part-1.parquet': 'e1' });
    const second = await reader.list('exp_1');
    const diff = diffSnapshots(first, second);
    expect(diff.added.map((o) => o.key)).toEqual(['exp_1/exposures/part-1.parquet']);
    expect(diff.changed).toEqual([]);
    const paths = await reader.localPaths('exp_1', second);
    expect(fx.server.objectGets()).toBe(2);
    expect(fx.server.objectGets('part-1.parquet')).toBe(1);
    expect(readFileSync(paths.get('exp_1/exposures/part-1.parquet')!, 'utf8')).toBe('e1');
  });

  it('detects a changed object (same key, other ETag) and downloads the new content', async () => {
    await seed('exp_1', { 'exposures/part-0.parquet': 'version one', 'outcomes/part-0.parquet': 'o0' });
    const reader = await store('reader');
    const first = await reader.list('exp_1');
    await reader.localPaths('exp_1', first);
    await seed('exp_1', { 'exposures/part-0.parquet': 'version two!' });
    const second = await reader.list('exp_1');

    const diff = diffSnapshots(first, second);
    expect(diff.added).toEqual([]);
    expect(diff.removed).toEqual([]);
    expect(diff.changed).toEqual([{
      key: 'exp_1/exposures/part-0.parquet',
      previous: { key: 'exp_1/exposures/part-0.parquet', size: 11, etag: md5('version one') },
      current: { key: 'exp_1/exposures/part-0.parquet', size: 12, etag: md5('version two!') },
    }]);

    const paths = await reader.localPaths('exp_1', second);
    expect(readFileSync(paths.get('exp_1/exposures/part-0.parquet')!, 'utf8')).toBe('version two!');
    expect(fx.server.objectGets('exposures/part-0.parquet')).toBe(2);
    expect(fx.server.objectGets('outcomes/part-0.parquet')).toBe(1);
  });

  it('refuses an object that changed between listing and download (INPUT_CHANGED), leaving the old copy alone', async () => {
    await seed('exp_1', { 'exposures/part-0.parquet': 'listed' });
    const reader = await store('reader');
    const snapshot = await reader.list('exp_1');
    await seed('exp_1', { 'exposures/part-0.parquet': 'rewritten meanwhile' });
    const err = await reader.localPaths('exp_1', snapshot).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(XpError);
    expect((err as XpError).code).toBe('INPUT_CHANGED');
    expect((err as XpError).message).toContain(`s3://raw/exp_platform/exp_1/exposures/part-0.parquet from ${fx.server.endpoint} changed after it was listed (ETag ${md5('listed')}, now ${md5('rewritten meanwhile')})`);
    const dir = path.join(fx.cacheRoot('reader'), 'exp_1', 'exposures');
    expect(existsSync(dir) ? readdirSync(dir) : []).toEqual([]);
  });

  it('sweeps temp files left by a process that died mid-download', async () => {
    await fx.seed('exp_1', { 'exposures/part-0.parquet': 'e0' });
    const dir = path.join(fx.cacheRoot('reader'), 'exp_1', 'exposures');
    mkdirSync(dir, { recursive: true });
    const deadPid = spawnSync(process.execPath, ['-e', '']).pid!;
    const stale = path.join(dir, `.part-0.parquet.part-${deadPid}-0badc0de`);
    writeFileSync(stale, 'half a file');
    const reader = await store('reader');
    await reader.localPaths('exp_1', await reader.list('exp_1'));
    expect(readdirSync(dir).sort()).toEqual(['.part-0.parquet.meta.json', 'part-0.parquet']);
  });

  it('downloads again when the cached file was damaged on disk', async () => {
    await seed('exp_1', { 'exposures/part-0.parquet': 'intact content' });
    const reader = await store('reader');
    const objects = await reader.list('exp_1');
    const paths = await reader.localPaths('exp_1', objects);
    truncateSync(paths.get(objects[0]!.key)!, 3);
    await reader.localPaths('exp_1', objects);
    expect(readFileSync(paths.get(objects[0]!.key)!, 'utf8')).toBe('intact content');
    expect(fx.server.objectGets()).toBe(2);
  });
});

describe('put and scratchDir', () => {
  it('uploads under <prefix>/<experimentId>/<key> and seeds the cache, so a build does not download it back', async () => {
    const writer = await store('writer');
    const scratch = writer.scratchDir('exp_1');
    expect(scratch).toBe(path.join(fx.tmp, 'writer', 'target', 'cache', 's3-scratch', 'raw', 'exp_platform', 'exp_1'));
    expect(existsSync(scratch)).toBe(true);
    await writer.put('exp_1', 'exposures/part-0.parquet', writeFile(scratch, 'part-0.parquet', 'generated'));
    expect(fx.server.requests.some((r) => r.method === 'PUT' && r.url.startsWith('/raw/exp_platform/exp_1/exposures/part-0.parquet'))).toBe(true);
    const objects = await writer.list('exp_1');
    expect(objects).toEqual([{ key: 'exp_1/exposures/part-0.parquet', size: 9, etag: md5('generated') }]);
    const paths = await writer.localPaths('exp_1', objects);
    expect(readFileSync(paths.get('exp_1/exposures/part-0.parquet')!, 'utf8')).toBe('generated');
    expect(fx.server.objectGets()).toBe(0);
  });
});
