/**
 * Download one object into the cache: stream to a temp name in the destination folder,
 * hashing on the way, verify size and ETag, then rename into place (cache.ts). Any
 * failure removes the temp file, so nothing half-written survives.
 */
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { XpError } from '../../core/errors.ts';
import type { RawObject } from '../types.ts';
import { commitToCache, prepareEntryDir, tempPathFor, type CacheEntry } from './cache.ts';
import { bareEtag, bucketKey } from './keys.ts';
import { endpointLabel, type S3Settings } from './settings.ts';
import { verifyDownload } from './verify.ts';

export async function downloadToCache(client: S3Client, s: S3Settings, obj: RawObject, entry: CacheEntry): Promise<void> {
  const key = bucketKey(s.prefix, obj.key);
  const where = `s3://${s.bucket}/${key} from ${endpointLabel(s)}`;
  await prepareEntryDir(entry);
  const temp = tempPathFor(entry);
  try {
    const res = await client.send(new GetObjectCommand({
      Bucket: s.bucket,
      Key: key,
      // Real S3 and MinIO answer 412 if the object was replaced since the listing.
      ...(obj.etag ? { IfMatch: `"${obj.etag}"` } : {}),
    }));
    const body = res.Body;
    if (!(body instanceof Readable)) throw new Error(`GetObject for ${where} returned no readable body`);
    // Servers that ignore If-Match (s3rver) still tell us the ETag of what they send.
    const etag = bareEtag(res.ETag);
    if (obj.etag && etag && etag !== obj.etag) {
      body.destroy();
      throw new XpError('INPUT_CHANGED', `${where} changed after it was listed (ETag ${obj.etag}, now ${etag})`, {
        location: { object: `s3://${s.bucket}/${key}` },
        hint: 'someone rewrote the raw data during the run; run again to take a new snapshot (the build then refuses changed objects unless --accept-input-change)',
      });
    }
    const md5 = createHash('md5');
    let bytes = 0;
    const tap = new Transform({
      transform(chunk: Buffer, _enc, done) {
        md5.update(chunk);
        bytes += chunk.length;
        done(null, chunk);
      },
    });
    await pipeline(body, tap, createWriteStream(temp, { flags: 'wx' }));
    verifyDownload(where, obj, { bytes, md5: md5.digest('hex') });
    await commitToCache(entry, temp, obj);
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
}
