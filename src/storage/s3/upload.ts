/** Upload a local file as one object (single PUT with Content-MD5, so the server checks it). */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { XpError } from '../../core/errors.ts';
import { bareEtag } from './keys.ts';
import type { S3Settings } from './settings.ts';

/** S3's limit for a single PUT; larger generated files would need a multipart upload. */
export const MAX_SINGLE_PUT_BYTES = 5 * 1024 ** 3;

export interface FileDigest {
  readonly size: number;
  readonly md5: string;
}

export async function digestFile(file: string): Promise<FileDigest> {
  const hash = createHash('md5');
  let size = 0;
  for await (const chunk of createReadStream(file)) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { size, md5: hash.digest('hex') };
}

/** PUT `file` at bucket key `key`; returns the ETag the server gave it (bare). */
export async function uploadFile(client: S3Client, s: S3Settings, key: string, file: string, digest: FileDigest): Promise<string> {
  if (digest.size > MAX_SINGLE_PUT_BYTES) {
    throw new XpError('STAGE_FAILED', `${file} is ${digest.size} bytes; uploads above 5 GiB need multipart, which the S3 store does not do yet`, {
      location: { object: `s3://${s.bucket}/${key}` },
      hint: 'write smaller part files (several part-N.parquet per table)',
    });
  }
  const res = await client.send(new PutObjectCommand({
    Bucket: s.bucket,
    Key: key,
    Body: createReadStream(file),
    ContentLength: digest.size,
    ContentMD5: Buffer.from(digest.md5, 'hex').toString('base64'),
  }));
  return bareEtag(res.ETag) || digest.md5;
}
