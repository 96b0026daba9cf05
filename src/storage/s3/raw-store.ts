/**
 * The raw store on S3 (or MinIO, or s3rver): list an experiment's objects, download new or
 * changed ones into the local cache for DuckDB, upload generated files. Loaded lazily by
 * open-store.ts, so the SDK is only imported when `storage.raw` is s3://.
 */
import { mkdirSync } from 'node:fs';
import { copyFile, rm } from 'node:fs/promises';
import { XpError } from '../../core/errors.ts';
import type { ProjectConfig } from '../../project/types.ts';
import { safeJoin } from '../safe-path.ts';
import type { RawObject, RawStore, StageProgress } from '../types.ts';
import { cacheEntry, commitToCache, isCached, prepareEntryDir, sweepStaleTemps, tempPathFor } from './cache.ts';
import { createS3Client } from './client.ts';
import { downloadToCache } from './download.ts';
import { assertExperimentId, bucketKey, experimentFolder, isSafeRelativeKey } from './keys.ts';
import { listExperimentObjects } from './list.ts';
import { mapLimit } from './pool.ts';
import type { RetryPolicy, Sleep } from './retry.ts';
import { s3Attempt } from './attempt.ts';
import { resolveS3Settings, type S3Settings } from './settings.ts';
import { digestFile, uploadFile } from './upload.ts';

/** Objects downloaded at once. */
export const DOWNLOAD_CONCURRENCY = 4;

export interface S3StoreOptions {
  /** where credential variables are read; default process.env */
  readonly env?: NodeJS.ProcessEnv;
  readonly retry?: RetryPolicy;
  readonly concurrency?: number;
  /** keys per listing page; default S3's 1000 */
  readonly listPageSize?: number;
  readonly sleep?: Sleep;
}

/**
 * Open the raw store at `storage.raw` (s3://bucket/prefix) with the endpoint, region and
 * addressing of `storage.s3`. Fails with STORAGE_AUTH at once when the credential variables
 * are unset; nothing is sent to the server until the first call.
 */
export async function s3RawStore(config: ProjectConfig, options: S3StoreOptions = {}): Promise<RawStore> {
  const s = resolveS3Settings(config, options.env);
  const client = createS3Client(s);
  const concurrency = options.concurrency ?? DOWNLOAD_CONCURRENCY;

  /** Retry transient failures, then map whatever is left to an XpError naming endpoint, bucket and key. */
  const attempt = s3Attempt(s, options);

  return {
    uri: s.uri,

    async list(experimentId) {
      const folder = experimentFolder(s.prefix, experimentId);
      return attempt(`listing s3://${s.bucket}/${folder}`, () => listExperimentObjects(client, s, experimentId, { pageSize: options.listPageSize }), { experimentId });
    },

    async localPaths(experimentId, objects, progress?: StageProgress) {
      assertExperimentId(experimentId);
      const entries = objects.map((obj) => {
        if (!obj.key.startsWith(`${experimentId}/`) || !isSafeRelativeKey(obj.key)) {
          throw new XpError('EXPERIMENT_ID_INVALID', `object key ${JSON.stringify(obj.key)} is not inside experiment ${experimentId}`, {
            location: { experiment: experimentId, object: obj.key },
            hint: 'pass the objects returned by list() for the same experiment',
          });
        }
        return { obj, entry: cacheEntry(s, obj.key) };
      });
      let done = 0;
      await mapLimit(entries, concurrency, async ({ obj, entry }) => {
        if (!isCached(entry, obj)) {
          await sweepStaleTemps(entry);
          const key = bucketKey(s.prefix, obj.key);
          await attempt(`downloading s3://${s.bucket}/${key}`, () => downloadToCache(client, s, obj, entry), { key, experimentId });
        }
        progress?.(++done, entries.length, obj.key);
      });
      return new Map(entries.map(({ obj, entry }) => [obj.key, entry.file]));
    },

    async put(experimentId, relativeKey, localFile) {
      assertExperimentId(experimentId);
      if (!isSafeRelativeKey(relativeKey)) {
        throw new XpError('EXPERIMENT_ID_INVALID', `object key ${JSON.stringify(relativeKey)} would leave ${experimentId}/ in ${s.uri}`, {
          location: { experiment: experimentId, object: relativeKey },
          hint: 'experiment ids and object keys must stay inside their store',
        });
      }
      const rel = `${experimentId}/${relativeKey}`;
      const key = bucketKey(s.prefix, rel);
      const digest = await digestFile(localFile);
      const etag = await attempt(`uploading ${localFile} to s3://${s.bucket}/${key}`, () => uploadFile(client, s, key, localFile, digest), { key, experimentId });
      // Seed the cache with what we just uploaded, so the next build does not download it back.
      const entry = cacheEntry(s, rel);
      await prepareEntryDir(entry);
      const temp = tempPathFor(entry);
      try {
        await copyFile(localFile, temp);
        await commitToCache(entry, temp, { key: rel, size: digest.size, etag });
      } catch (err) {
        await rm(temp, { force: true });
        throw err;
      }
    },

    scratchDir(experimentId) {
      assertExperimentId(experimentId);
      const dir = scratchDirOf(s, experimentId);
      mkdirSync(dir, { recursive: true });
      return dir;
    },

    async close() {
      client.destroy();
    },
  };
}

/** `<storage.cache>/s3-scratch/<bucket>/<prefix>/<experimentId>`: generated files wait here before `put`. */
function scratchDirOf(s: S3Settings, experimentId: string): string {
  return safeJoin(s.cacheRoot, 's3-scratch', s.bucket, ...(s.prefix ? s.prefix.split('/') : []), experimentId);
}
