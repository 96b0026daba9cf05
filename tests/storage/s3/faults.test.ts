/**
 * Failures against real servers: a stopped server, wrong credentials, a missing bucket,
 * a server that goes away mid-download, and transient HTTP faults injected by a loopback
 * proxy (503 SlowDown, 500, a connection cut mid-body). No mocks: s3rver cannot produce
 * SignatureDoesNotMatch (it does not verify SigV4), so that one comes from the proxy,
 * which answers with the S3 error document a real server would send.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { XpError } from '../../../src/core/errors.ts';
import type { RetryPolicy } from '../../../src/storage/s3/retry.ts';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.ts';
import { md5, useS3Fixture } from '../support/s3-fixture.ts';

const fx = useS3Fixture();

/** Fast retries for tests; the waits are recorded instead of slept in full. */
const FAST: RetryPolicy = { maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 40 };
function recordingSleep(): { waits: number[]; sleep: (ms: number) => Promise<void> } {
  const waits: number[] = [];
  return { waits, sleep: async (ms) => void waits.push(ms) };
}

async function rejection(p: Promise<unknown>): Promise<XpError> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(XpError);
  return err as XpError;
}

async function freePort(): Promise<number> {
  const srv = http.createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const { port } = srv.address() as AddressInfo;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}

/** Every file under a folder, hidden ones included. */
function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => path.relative(dir, path.join(e.parentPath, e.name))).sort();
}

describe('permanent failures fail fast with a message naming what to check', () => {
  it('connection refused → STORAGE_UNAVAILABLE naming the endpoint and `npm run s3:dev`, no retries', async () => {
    const endpoint = `http://127.0.0.1:${await freePort()}`;
    const { waits, sleep } = recordingSleep();
    const store = await fx.store('reader', { retry: FAST, sleep }, { endpoint });
    const err = await rejection(store.list('exp_1'));
    expect(err.code).toBe('STORAGE_UNAVAILABLE');
    expect(err.message).toBe(`cannot reach S3 endpoint ${endpoint} (ECONNREFUSED) while listing s3://raw/exp_platform/exp_1/: is the server running? \`npm run s3:dev\``);
    expect(err.hint).toContain('docker compose up -d');
    expect(waits).toEqual([]);
  });

  it('unknown access key (a real InvalidAccessKeyId from s3rver) → STORAGE_AUTH naming the endpoint and both env vars', async () => {
    const store = await fx.store('reader', { env: { MINIO_ACCESS_KEY: 'NOT-A-KEY', MINIO_SECRET_KEY: 'S3RVER' }, retry: FAST });
    const before = fx.server.requests.length;
    const err = await rejection(store.list('exp_1'));
    expect(err.code).toBe('STORAGE_AUTH');
    expect(err.message).toBe(`S3 endpoint ${fx.server.endpoint} refused the credentials (InvalidAccessKeyId) while listing s3://raw/exp_platform/exp_1/ in bucket raw`);
    expect(err.hint).toContain('MINIO_ACCESS_KEY and MINIO_SECRET_KEY');
    expect(fx.server.requests.length - before).toBe(1);
  });

  it('wrong secret (SignatureDoesNotMatch, from the proxy: s3rver does not check SigV4) → STORAGE_AUTH, no retries', async () => {
    const proxy = await startFaultProxy(fx.server.port, () => ({ kind: 'error', status: 403, code: 'SignatureDoesNotMatch', message: 'The request signature we calculated does not match the signature you provided.' }));
    try {
      const store = await fx.store('reader', { retry: FAST }, { endpoint: proxy.endpoint });
      const err = await rejection(store.list('exp_1'));
      expect(err.code).toBe('STORAGE_AUTH');
      expect(err.message).toContain(`S3 endpoint ${proxy.endpoint} refused the credentials (SignatureDoesNotMatch)`);
      expect(err.hint).toContain('MINIO_ACCESS_KEY and MINIO_SECRET_KEY');
      expect(proxy.seen).toHaveLength(1);
    } finally {
      await proxy.stop();
    }
  });

  it('documents an s3rver limitation: a wrong secret with the right key id is accepted', async () => {
    const store = await fx.store('reader', { env: { MINIO_ACCESS_KEY: 'S3RVER', MINIO_SECRET_KEY: 'wrong secret' } });
    await expect(store.list('exp_1')).resolves.toEqual([]);
  });

  it('unset credential variables → STORAGE_AUTH when the store is opened', async () => {
    const err = await rejection(fx.store('reader', { env: {} }));
    expect(err.code).toBe('STORAGE_AUTH');
    expect(err.message).toBe(`no credentials for ${fx.server.endpoint} (bucket raw): environment variables MINIO_ACCESS_KEY and MINIO_SECRET_KEY are not set`);
    expect(err.hint).toContain('npm run s3:dev');
  });

  it('missing bucket (NoSuchBucket) → STORAGE_NOT_FOUND naming the bucket', async () => {
    const store = await fx.store('reader', { retry: FAST }, { raw: 's3://no-such-bucket/exp_platform' });
    const err = await rejection(store.list('exp_1'));
    expect(err.code).toBe('STORAGE_NOT_FOUND');
    expect(err.message).toBe(`bucket no-such-bucket does not exist on ${fx.server.endpoint} (NoSuchBucket) while listing s3://no-such-bucket/exp_platform/exp_1/`);
    expect(err.hint).toContain('npm run s3:dev');
  });
});

describe('an id or key with ../ never leaves its prefix', () => {
  it('refuses before any request is sent', async () => {
    const store = await fx.store('reader');
    const before = fx.server.requests.length;
    for (const id of ['../exp_1', 'exp_1/../exp_2', '..', 'a/b', '/abs']) {
      expect((await rejection(store.list(id))).code).toBe('EXPERIMENT_ID_INVALID');
    }
    expect(() => store.scratchDir('../../etc')).toThrow(XpError);
    const file = path.join(fx.tmp, 'x.parquet');
    await import('node:fs/promises').then((fs) => fs.writeFile(file, 'x'));
    for (const key of ['../exp_2/exposures/part-0.parquet', 'exposures/../../x', '/etc/passwd', 'a//b', '']) {
      expect((await rejection(store.put('exp_1', key, file))).code).toBe('EXPERIMENT_ID_INVALID');
    }
    const escaping = [{ key: 'exp_1/../../../outside.parquet', size: 1, etag: md5('x') }];
    expect((await rejection(store.localPaths('exp_1', escaping))).code).toBe('EXPERIMENT_ID_INVALID');
    const otherExperiment = [{ key: 'exp_2/exposures/part-0.parquet', size: 1, etag: md5('x') }];
    expect((await rejection(store.localPaths('exp_1', otherExperiment))).code).toBe('EXPERIMENT_ID_INVALID');
    expect(fx.server.requests.length).toBe(before);
    expect(existsSync(path.join(fx.tmp, 'reader', 'outside.parquet'))).toBe(false);
  });
});

describe('transient failures are retried with backoff', () => {
  async function withProxy(decide: Parameters<typeof startFaultProxy>[1], run: (proxy: FaultProxy) => Promise<void>): Promise<void> {
    const proxy = await startFaultProxy(fx.server.port, decide);
    try {
      await run(proxy);
    } finally {
      await proxy.stop();
    }
  }

  it('503 SlowDown twice, then the listing goes through', async () => {
    await fx.seed('exp_1', { 'exposures/part-0.parquet': 'e0' });
    await withProxy((_req, n) => (n <= 2 ? { kind: 'error', status: 503, code: 'SlowDown', message: 'Please reduce your request rate.' } : { kind: 'forward' }), async (proxy) => {
      const { waits, sleep } = recordingSleep();
      const store = await fx.store('reader', { retry: FAST, sleep }, { endpoint: proxy.endpoint });
      expect((await store.list('exp_1')).map((o) => o.key)).toEqual(['exp_1/exposures/part-0.parquet']);
      expect(proxy.seen.map((r) => r.action)).toEqual(['error', 'error', 'forward']);
      // full jitter: each wait is below base · 2^(attempt-1)
      expect(waits).toHaveLength(2);
      expect(waits[0]).toBeLessThan(10);
      expect(waits[1]).toBeLessThan(20);
    });
  });

  it('500 InternalError on a download twice, then it completes', async () => {
    await fx.seed('exp_1', { 'exposures/part-0.parquet': 'e0' });
    const objects = await (await fx.store('lister')).list('exp_1');
    let gets = 0;
    const decide = (req: http.IncomingMessage) => (req.url?.includes('GetObject') && ++gets <= 2 ? { kind: 'error', status: 500, code: 'InternalError' } as const : { kind: 'forward' } as const);
    await withProxy(decide, async (proxy) => {
      const { waits, sleep } = recordingSleep();
      const store = await fx.store('reader', { retry: FAST, sleep }, { endpoint: proxy.endpoint });
      const paths = await store.localPaths('exp_1', objects);
      expect(readFileSync(paths.get('exp_1/exposures/part-0.parquet')!, 'utf8')).toBe('e0');
      expect(proxy.seen.map((r) => r.action)).toEqual(['error', 'error', 'forward']);
      expect(waits).toHaveLength(2);
      expect(fx.server.objectGets()).toBe(1);
    });
  });

  it('gives up after maxAttempts with STORAGE_UNAVAILABLE naming the endpoint and the code', async () => {
    await withProxy(() => ({ kind: 'error', status: 503, code: 'SlowDown' }), async (proxy) => {
      const store = await fx.store('reader', { retry: FAST, sleep: async () => {} }, { endpoint: proxy.endpoint });
      const err = await rejection(store.list('exp_1'));
      expect(err.code).toBe('STORAGE_UNAVAILABLE');
      expect(err.message).toBe(`S3 endpoint ${proxy.endpoint} kept failing (SlowDown) while listing s3://raw/exp_platform/exp_1/; gave up after 3 attempts`);
      expect(proxy.seen).toHaveLength(3);
    });
  });

  it('a connection cut mid-body is retried from scratch and leaves no partial file', async () => {
    const content = randomBytes(2 * 1024 * 1024);
    await fx.seed('exp_1', { 'outcomes/part-0.parquet': content });
    const objects = await (await fx.store('lister')).list('exp_1');
    let cut = false;
    await withProxy((req) => {
      if (!cut && req.url?.includes('GetObject')) {
        cut = true;
        return { kind: 'cut', afterBytes: 256 * 1024 };
      }
      return { kind: 'forward' };
    }, async (proxy) => {
      const { waits, sleep } = recordingSleep();
      const store = await fx.store('reader', { retry: FAST, sleep }, { endpoint: proxy.endpoint });
      const paths = await store.localPaths('exp_1', objects);
      expect(md5(readFileSync(paths.get('exp_1/outcomes/part-0.parquet')!))).toBe(md5(content));
      expect(proxy.seen.map((r) => r.action)).toEqual(['cut', 'forward']);
      expect(waits).toHaveLength(1);
      expect(filesUnder(path.join(fx.cacheRoot('reader'), 'exp_1'))).toEqual(['outcomes/.part-0.parquet.meta.json', 'outcomes/part-0.parquet']);
    });
  });
});

describe('the server disappears mid-download', () => {
  it('fails with a clear error, leaves no half file, and the next run completes', async () => {
    const big = randomBytes(16 * 1024 * 1024);
    await fx.seed('exp_1', { 'exposures/part-0.parquet': 'small', 'outcomes/part-0.parquet': big });
    const store = await fx.store('reader', { retry: FAST, sleep: async () => {} });
    const objects = await store.list('exp_1');

    // Stop the whole server (listener and open connections) once 1 MiB of the big object is out.
    let stopped = false;
    fx.server.hook = (req, res, server) => {
      if (stopped || req.method !== 'GET' || !req.url?.includes('outcomes/part-0.parquet')) return;
      let sent = 0;
      const write = res.write.bind(res) as (...args: unknown[]) => boolean;
      res.write = ((chunk: Buffer, ...rest: unknown[]) => {
        sent += chunk.length;
        const ok = write(chunk, ...rest);
        if (sent >= 1024 * 1024 && !stopped) {
          stopped = true;
          void server.stop();
        }
        return ok;
      }) as typeof res.write;
    };

    const err = await rejection(store.localPaths('exp_1', objects));
    expect(stopped).toBe(true);
    expect(err.code).toBe('STORAGE_UNAVAILABLE');
    // The cut transfer was retried once (ECONNRESET or similar), then the connection was refused.
    expect(err.message).toMatch(/^cannot reach S3 endpoint http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED; earlier attempt: [\w ]+\) while downloading s3:\/\/raw\/exp_platform\/exp_1\/outcomes\/part-0\.parquet: is the server running\? `npm run s3:dev`$/);
    expect(err.message).toContain(fx.server.endpoint);
    expect(err.location.object).toBe('s3://raw/exp_platform/exp_1/outcomes/part-0.parquet');
    // Nothing of the big object in the cache: no file under its name, no temp file.
    const cached = filesUnder(path.join(fx.cacheRoot('reader'), 'exp_1'));
    expect(cached.filter((f) => f.startsWith('outcomes/'))).toEqual([]);

    fx.server.hook = undefined;
    await fx.server.restart();
    const paths = await store.localPaths('exp_1', objects);
    expect(md5(readFileSync(paths.get('exp_1/outcomes/part-0.parquet')!))).toBe(md5(big));
    expect(readFileSync(paths.get('exp_1/exposures/part-0.parquet')!, 'utf8')).toBe('small');
    expect(filesUnder(path.join(fx.cacheRoot('reader'), 'exp_1'))).toEqual([
      'exposures/.part-0.parquet.meta.json', 'exposures/part-0.parquet', 'outcomes/.part-0.parquet.meta.json', 'outcomes/part-0.parquet',
    ]);
  });
});
