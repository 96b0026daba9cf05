/**
 * A plain object API over one `s3://bucket/prefix` besides the raw store (the results
 * lake): list a folder, upload a file or bytes, read a small object, delete keys, and
 * fetch an object into the verified cache. Keys are relative to the prefix and must be
 * plain segments; every call retries transient failures and maps the rest to XpErrors
 * naming endpoint, bucket and key, exactly like the raw store.
 */
import { DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import { XpError } from '../../core/errors.ts';
import type { ProjectConfig } from '../../project/types.ts';
import type { RawObject } from '../types.ts';
import { cacheEntry, isCached, sweepStaleTemps } from './cache.ts';
import { createS3Client } from './client.ts';
import { downloadToCache } from './download.ts';
import { classifyFailure } from './error-map.ts';
import { assertSafeKey, bareEtag, bucketKey, isSafeRelativeKey, relativeKeyOf } from './keys.ts';
import { mapLimit } from './pool.ts';
import type { RetryPolicy, Sleep } from './retry.ts';
import { s3Attempt } from './attempt.ts';
import { resolveS3Settings, type S3Settings } from './settings.ts';
import { digestFile, uploadFile } from './upload.ts';

/** What a write left in the bucket. */
export interface StoredObject {
  readonly key: string;
  readonly size: number;
  /** the ETag the server gave it (bare) */
  readonly etag: string;
  /** hex MD5 of the content */
  readonly md5: string;
}

export interface S3Objects {
  /** `s3://bucket/prefix` */
  readonly uri: string;
  /** every object under `folder` (relative, '' = the whole prefix), sorted by key */
  list(folder: string): Promise<RawObject[]>;
  putFile(key: string, localFile: string): Promise<StoredObject>;
  putBytes(key: string, content: string | Buffer): Promise<StoredObject>;
  /** the object's text, or undefined when there is no such key */
  getText(key: string): Promise<string | undefined>;
  /** delete keys (a missing key is not an error) */
  remove(keys: readonly string[]): Promise<void>;
  /** a verified local copy in `<storage.cache>/s3/<bucket>/<prefix>/<key>`, downloaded once per ETag */
  cachedCopy(obj: RawObject): Promise<string>;
  close(): Promise<void>;
}

export interface S3ObjectsOptions {
  /** where credential variables are read; default process.env */
  readonly env?: NodeJS.ProcessEnv;
  readonly retry?: RetryPolicy;
  /** parallel deletes; default 4 */
  readonly concurrency?: number;
  readonly sleep?: Sleep;
}

function assertKey(s: S3Settings, key: string): void {
  if (!isSafeRelativeKey(key)) {
    throw new XpError('EXPERIMENT_ID_INVALID', `object key ${JSON.stringify(key)} would leave ${s.uri}`, {
      location: { object: key },
      hint: 'experiment ids, table names and object keys must stay inside their prefix',
    });
  }
}

/** Open the objects under `target.uri` (an s3:// URI of the config) with `storage.s3`'s endpoint and credentials. */
export function s3Objects(config: ProjectConfig, target: { readonly uri: string; readonly field: string }, options: S3ObjectsOptions = {}): S3Objects {
  const s = resolveS3Settings(config, options.env, target);
  const client = createS3Client(s);

  const attempt = s3Attempt(s, options);
  const where = (key: string): string => `s3://${s.bucket}/${bucketKey(s.prefix, key)}`;

  const putBytes = async (key: string, content: string | Buffer): Promise<StoredObject> => {
    assertKey(s, key);
    const body = Buffer.isBuffer(content) ? content : Buffer.from(content);
    const md5 = createHash('md5').update(body).digest('hex');
    const full = bucketKey(s.prefix, key);
    const etag = await attempt(`uploading ${where(key)}`, async () => {
      const res = await client.send(new PutObjectCommand({
        Bucket: s.bucket, Key: full, Body: body, ContentLength: body.length,
        ContentMD5: Buffer.from(md5, 'hex').toString('base64'),
        ...(key.endsWith('.json') ? { ContentType: 'application/json' } : {}),
      }));
      return bareEtag(res.ETag) || md5;
    }, { key: full });
    return { key, size: body.length, etag, md5 };
  };

  return {
    uri: s.uri,

    async list(folder) {
      if (folder !== '') assertKey(s, folder.replace(/\/$/, ''));
      const prefix = bucketKey(s.prefix, folder === '' ? '' : folder.replace(/\/?$/, '/'));
      return attempt(`listing s3://${s.bucket}/${prefix}`, async () => {
        const out: RawObject[] = [];
        let token: string | undefined;
        do {
          const page = await client.send(new ListObjectsV2Command({ Bucket: s.bucket, Prefix: prefix || undefined, ContinuationToken: token }));
          for (const item of page.Contents ?? []) {
            if (!item.Key || item.Key.endsWith('/')) continue;
            const rel = relativeKeyOf(s.prefix, item.Key);
            // S3 only returns keys under the prefix asked for; a server that does not is not trusted.
            if (rel === undefined || !item.Key.startsWith(prefix)) continue;
            assertSafeKey(rel, s.bucket);
            out.push({ key: rel, size: item.Size ?? 0, etag: bareEtag(item.ETag) });
          }
          token = page.IsTruncated ? page.NextContinuationToken : undefined;
        } while (token);
        return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
      });
    },

    async putFile(key, localFile) {
      assertKey(s, key);
      const full = bucketKey(s.prefix, key);
      const digest = await digestFile(localFile);
      const etag = await attempt(`uploading ${localFile} to ${where(key)}`, () => uploadFile(client, s, full, localFile, digest), { key: full });
      return { key, size: digest.size, etag, md5: digest.md5 };
    },

    putBytes,

    async getText(key) {
      assertKey(s, key);
      const full = bucketKey(s.prefix, key);
      return attempt(`reading ${where(key)}`, async () => {
        try {
          const res = await client.send(new GetObjectCommand({ Bucket: s.bucket, Key: full }));
          return await res.Body!.transformToString('utf8');
        } catch (err) {
          if (classifyFailure(err) === 'no-key') return undefined;
          throw err;
        }
      }, { key: full });
    },

    async remove(keys) {
      for (const key of keys) assertKey(s, key);
      await mapLimit(keys, options.concurrency ?? 4, (key) => {
        const full = bucketKey(s.prefix, key);
        return attempt(`deleting ${where(key)}`, () => client.send(new DeleteObjectCommand({ Bucket: s.bucket, Key: full })), { key: full });
      });
    },

    async cachedCopy(obj) {
      assertKey(s, obj.key);
      const entry = cacheEntry(s, obj.key);
      if (!isCached(entry, obj)) {
        await sweepStaleTemps(entry);
        const full = bucketKey(s.prefix, obj.key);
        await attempt(`downloading ${where(obj.key)}`, () => downloadToCache(client, s, obj, entry), { key: full });
      }
      return entry.file;
    },

    async close() {
      client.destroy();
    },
  };
}
