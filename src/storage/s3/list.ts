/** List one experiment's objects, following continuation tokens. */
import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import type { RawObject } from '../types.ts';
import { assertSafeKey, bareEtag, experimentFolder, relativeKeyOf } from './keys.ts';
import type { S3Settings } from './settings.ts';

export interface ListOptions {
  /** keys per page (S3 caps it at 1000); small values exercise pagination in tests */
  readonly pageSize?: number;
}

/** Byte-order comparison (as S3 sorts keys), independent of the locale. */
export const compareKeys = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * One pass over `<prefix>/<experimentId>/`, all pages. Folder markers (keys ending in `/`)
 * are skipped; a key with a `..` segment is refused rather than skipped.
 */
export async function listExperimentObjects(client: S3Client, s: S3Settings, experimentId: string, opts: ListOptions = {}): Promise<RawObject[]> {
  const folder = experimentFolder(s.prefix, experimentId);
  const objects: RawObject[] = [];
  let token: string | undefined;
  do {
    const page = await client.send(new ListObjectsV2Command({
      Bucket: s.bucket,
      Prefix: folder,
      ContinuationToken: token,
      ...(opts.pageSize ? { MaxKeys: opts.pageSize } : {}),
    }));
    for (const item of page.Contents ?? []) {
      const key = item.Key;
      if (!key || key.endsWith('/')) continue;
      const rel = relativeKeyOf(s.prefix, key);
      // S3 only returns keys under the prefix asked for; a server that does not is not trusted.
      if (rel === undefined || !rel.startsWith(`${experimentId}/`)) continue;
      assertSafeKey(rel, s.bucket);
      objects.push({ key: rel, size: item.Size ?? 0, etag: bareEtag(item.ETag) });
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return objects.sort((a, b) => compareKeys(a.key, b.key));
}
