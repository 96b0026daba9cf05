/** The pure parts of the S3 back end: keys, settings, ETag checks, retry timing, error mapping, pool. */
import { describe, expect, it } from 'vitest';
import { XpError } from '../../../src/core/errors.ts';
import { classifyFailure, toStorageError } from '../../../src/storage/s3/error-map.ts';
import { assertExperimentId, bareEtag, bucketKey, experimentFolder, isSafeRelativeKey, relativeKeyOf } from '../../../src/storage/s3/keys.ts';
import { mapLimit } from '../../../src/storage/s3/pool.ts';
import { backoffDelay, withRetry } from '../../../src/storage/s3/retry.ts';
import { parseS3Uri, resolveS3Settings } from '../../../src/storage/s3/settings.ts';
import { md5OfEtag, verifyDownload } from '../../../src/storage/s3/verify.ts';
import { s3TestConfig } from '../support/s3-config.ts';

const code = (fn: () => unknown): string | undefined => {
  try {
    fn();
  } catch (err) {
    return err instanceof XpError ? err.code : 'not an XpError';
  }
  return undefined;
};

describe('keys', () => {
  it.each([
    ['exp_1/exposures/part-0.parquet', true],
    ['exposures/part-0.parquet', true],
    ['../exp_2/x', false],
    ['exp_1/../../x', false],
    ['exp_1/./x', false],
    ['/abs', false],
    ['a//b', false],
    ['trailing/', false],
    ['back\\slash', false],
    ['', false],
  ])('isSafeRelativeKey(%j) = %s', (key, safe) => {
    expect(isSafeRelativeKey(key)).toBe(safe);
  });

  it('builds the experiment folder under the prefix, refusing ids that could leave it', () => {
    expect(experimentFolder('exp_platform', 'exp_1')).toBe('exp_platform/exp_1/');
    expect(experimentFolder('', 'exp_1')).toBe('exp_1/');
    for (const id of ['../x', 'a/b', '..', '.hidden', 'x..y', '', 'with space']) expect(code(() => assertExperimentId(id))).toBe('EXPERIMENT_ID_INVALID');
  });

  it('maps between bucket keys and store-relative keys', () => {
    expect(bucketKey('p/q', 'e/x')).toBe('p/q/e/x');
    expect(bucketKey('', 'e/x')).toBe('e/x');
    expect(relativeKeyOf('p/q', 'p/q/e/x')).toBe('e/x');
    expect(relativeKeyOf('p/q', 'p/qq/e/x')).toBeUndefined();
    expect(bareEtag('"abc"')).toBe('abc');
    expect(bareEtag('W/"abc-2"')).toBe('abc-2');
  });
});

describe('settings', () => {
  it.each([
    ['s3://raw/exp_platform', 'raw', 'exp_platform'],
    ['s3://raw/a/b/', 'raw', 'a/b'],
    ['s3://raw', 'raw', ''],
  ])('parseS3Uri(%j)', (uri, bucket, prefix) => {
    expect(parseS3Uri(uri, 'c.yaml')).toEqual({ bucket, prefix });
  });

  it.each(['s3://Bad_Bucket/x', 's3://raw/a/../b', 's3://raw//x', 's3://'])('refuses %j', (uri) => {
    expect(code(() => parseS3Uri(uri, 'c.yaml'))).toBe('CONFIG_INVALID');
  });

  it('reads endpoint, region and addressing from storage.s3 and credentials from the named env vars', () => {
    const config = s3TestConfig({ endpoint: 'http://127.0.0.1:9000/', root: '/proj' });
    const s = resolveS3Settings(config, { MINIO_ACCESS_KEY: 'ak', MINIO_SECRET_KEY: 'sk', AWS_ACCESS_KEY_ID: 'ignored' });
    expect(s).toMatchObject({ uri: 's3://raw/exp_platform', bucket: 'raw', prefix: 'exp_platform', endpoint: 'http://127.0.0.1:9000', region: 'us-east-1', pathStyle: true, accessKeyId: 'ak', secretAccessKey: 'sk', cacheRoot: '/proj/target/cache' });
  });

  it('falls back to plain AWS settings when storage.s3 is absent', () => {
    const base = s3TestConfig({ endpoint: 'http://x:1', root: '/proj' });
    const config = { ...base, storage: { ...base.storage, s3: undefined } };
    const s = resolveS3Settings(config, { AWS_ACCESS_KEY_ID: 'a', AWS_SECRET_ACCESS_KEY: 'b' });
    expect(s).toMatchObject({ endpoint: undefined, pathStyle: false, accessKeyEnv: 'AWS_ACCESS_KEY_ID' });
    expect(() => resolveS3Settings(config, {})).toThrow('AWS S3 (us-east-1) (bucket raw): environment variables AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set');
  });
});

describe('download verification', () => {
  const md5 = '5eb63bbbe01eeed093cb22bb8f5acdc3';
  it('takes the MD5 from single-part ETags only; multipart `…-N` ETags are checked by size alone', () => {
    expect(md5OfEtag(md5)).toBe(md5);
    expect(md5OfEtag(`${md5}-3`)).toBeUndefined();
    expect(() => verifyDownload('w', { key: 'k', size: 11, etag: `${'0'.repeat(32)}-3` }, { bytes: 11, md5 })).not.toThrow();
  });

  it('refuses a wrong size or a wrong MD5 with RAW_DATA_CORRUPT', () => {
    expect(code(() => verifyDownload('w', { key: 'k', size: 12, etag: md5 }, { bytes: 11, md5 }))).toBe('RAW_DATA_CORRUPT');
    expect(code(() => verifyDownload('w', { key: 'k', size: 11, etag: '0'.repeat(32) }, { bytes: 11, md5 }))).toBe('RAW_DATA_CORRUPT');
    expect(code(() => verifyDownload('w', { key: 'k', size: 11, etag: md5 }, { bytes: 11, md5 }))).toBeUndefined();
  });
});

describe('retry', () => {
  const policy = { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 250 };
  it('backs off exponentially with full jitter, capped', () => {
    expect([1, 2, 3, 4].map((a) => backoffDelay(policy, a, () => 0.999))).toEqual([99, 199, 249, 249]);
    expect(backoffDelay(policy, 3, () => 0)).toBe(0);
  });

  it('retries transient errors up to maxAttempts, then throws the last one', async () => {
    let calls = 0;
    const waits: number[] = [];
    const err = await withRetry(async () => {
      calls++;
      throw new Error(`fail ${calls}`);
    }, { policy, isTransient: () => true, sleep: async (ms) => void waits.push(ms) }).catch((e: Error) => e);
    expect((err as Error).message).toBe('fail 4');
    expect(calls).toBe(4);
    expect(waits).toHaveLength(3);
  });

  it('does not retry permanent errors, and returns the first success', async () => {
    let calls = 0;
    await expect(withRetry(async () => { calls++; throw new Error('no'); }, { policy, isTransient: () => false, sleep: async () => {} })).rejects.toThrow('no');
    expect(calls).toBe(1);
    expect(await withRetry(async (n) => (n < 2 ? Promise.reject(new Error('x')) : 'ok'), { policy, isTransient: () => true, sleep: async () => {} })).toBe('ok');
  });
});

describe('error classification', () => {
  const s3Error = (name: string, status: number) => Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status } });
  const net = (code: string) => Object.assign(new Error(code), { code });
  it.each([
    [net('ECONNRESET'), 'transient'],
    [net('EPIPE'), 'transient'],
    [net('ETIMEDOUT'), 'transient'],
    [net('ERR_STREAM_PREMATURE_CLOSE'), 'transient'],
    [Object.assign(new Error('aborted'), {}), 'transient'],
    [Object.assign(new Error('timed out'), { name: 'TimeoutError' }), 'transient'],
    [s3Error('SlowDown', 503), 'transient'],
    [s3Error('InternalError', 500), 'transient'],
    [s3Error('Unknown', 502), 'transient'],
    [s3Error('TooManyRequests', 429), 'transient'],
    [net('ECONNREFUSED'), 'unreachable'],
    [new AggregateError([net('ECONNREFUSED'), net('ECONNREFUSED')], 'connect failed'), 'unreachable'],
    [net('ENOTFOUND'), 'unreachable'],
    [s3Error('InvalidAccessKeyId', 403), 'auth'],
    [s3Error('SignatureDoesNotMatch', 403), 'auth'],
    [s3Error('AccessDenied', 403), 'auth'],
    [s3Error('Forbidden', 403), 'auth'],
    [s3Error('NoSuchBucket', 404), 'no-bucket'],
    [s3Error('NoSuchKey', 404), 'no-key'],
    [s3Error('PreconditionFailed', 412), 'changed'],
    [s3Error('InvalidArgument', 400), 'other-s3'],
    [new XpError('RAW_DATA_CORRUPT', 'x'), 'foreign'],
    [Object.assign(new Error('disk full'), { code: 'ENOSPC' }), 'foreign'],
  ])('%s → %s', (err, kind) => {
    expect(classifyFailure(err)).toBe(kind);
  });

  it('passes local (non-S3) errors through unchanged', () => {
    const disk = Object.assign(new Error('disk full'), { code: 'ENOSPC' });
    const settings = resolveS3Settings(s3TestConfig({ endpoint: 'http://127.0.0.1:9', root: '/p' }), { MINIO_ACCESS_KEY: 'a', MINIO_SECRET_KEY: 'b' });
    expect(toStorageError(disk, { settings, action: 'x' })).toBe(disk);
    const mapped = toStorageError(s3Error('NoSuchKey', 404), { settings, action: 'downloading', key: 'exp_platform/e/k' });
    expect(mapped).toMatchObject({ code: 'STORAGE_NOT_FOUND', location: { object: 's3://raw/exp_platform/e/k' } });
  });
});

describe('mapLimit', () => {
  it('keeps at most `limit` tasks running and returns results in input order', async () => {
    let running = 0;
    let peak = 0;
    const out = await mapLimit([5, 1, 4, 2, 3, 0], 2, async (ms, i) => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, ms));
      running--;
      return i;
    });
    expect(out).toEqual([0, 1, 2, 3, 4, 5]);
    expect(peak).toBe(2);
  });

  it('starts nothing new after a failure, waits for running tasks, throws the first error', async () => {
    const started: number[] = [];
    let finished = 0;
    const err = await mapLimit([0, 1, 2, 3, 4], 2, async (i) => {
      started.push(i);
      if (i === 0) throw new Error('first');
      await new Promise((r) => setTimeout(r, 5));
      finished++;
    }).catch((e: Error) => e);
    expect((err as Error).message).toBe('first');
    expect(started).toEqual([0, 1]);
    expect(finished).toBe(1);
  });
});
