/** Check a downloaded file against the size and ETag the listing gave. */
import { XpError } from '../../core/errors.ts';

/**
 * The MD5 an ETag promises, if any. A single-part upload's ETag is the hex MD5 of the
 * content. A multipart upload's ETag is `<md5 of the part MD5s>-<part count>`, which
 * cannot be checked without knowing the part size, so those (and any other non-MD5 ETag,
 * e.g. SSE-KMS on AWS) are verified by size only.
 */
export function md5OfEtag(etag: string): string | undefined {
  return /^[0-9a-f]{32}$/i.test(etag) ? etag.toLowerCase() : undefined;
}

export interface Received {
  readonly bytes: number;
  readonly md5: string;
}

export interface Expected {
  readonly key: string;
  readonly size: number;
  readonly etag: string;
}

/** Throws RAW_DATA_CORRUPT when the bytes received are not the object that was listed. */
export function verifyDownload(where: string, expected: Expected, got: Received): void {
  const hint = 'run again; if it persists, the object in the bucket is damaged (re-upload it with `xp generate` or your loader)';
  if (got.bytes !== expected.size) {
    throw new XpError('RAW_DATA_CORRUPT', `${where}: received ${got.bytes} bytes, the listing said ${expected.size}`, {
      location: { object: expected.key },
      hint,
    });
  }
  const md5 = md5OfEtag(expected.etag);
  if (md5 !== undefined && md5 !== got.md5) {
    throw new XpError('RAW_DATA_CORRUPT', `${where}: content MD5 ${got.md5} does not match ETag ${expected.etag}`, {
      location: { object: expected.key },
      hint,
    });
  }
}
