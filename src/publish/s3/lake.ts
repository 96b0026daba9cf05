/**
 * A bucket prefix as the lake (`storage.lake: s3://<bucket>/<prefix>`, endpoint and
 * credentials from `storage.s3`). DuckDB writes a generation into a local staging folder
 * under the cache, the files are uploaded (verified with Content-MD5), then the manifest is
 * replaced with one PUT, which S3 makes visible atomically. Reads go through the verified
 * download cache. The S3 client itself stays in src/storage/s3/.
 */
import { rm } from 'node:fs/promises';
import path from 'node:path';
import type { ProjectConfig } from '../../project/types.ts';
import { safeJoin } from '../../storage/safe-path.ts';
import { mapLimit } from '../../storage/s3/pool.ts';
import { s3Objects, type S3ObjectsOptions } from '../../storage/s3/objects.ts';
import { compareRefs, MANIFEST_NAME, partitionFolder, partitionOfManifestKey, type Lake, type LakeFile, type PartitionRef } from '../lake.ts';

/** Files uploaded at once. */
export const UPLOAD_CONCURRENCY = 4;

export function s3Lake(config: ProjectConfig, uri: string, options: S3ObjectsOptions = {}): Lake {
  const objects = s3Objects(config, { uri, field: 'storage.lake' }, options);
  const stagingRoot = path.resolve(config.root, config.storage.cache, 'lake-staging');
  const keyOf = (ref: PartitionRef, name: string): string => `${partitionFolder(ref)}/${name}`;

  return {
    uri: objects.uri,

    async partitions() {
      const refs = (await objects.list('')).map((o) => partitionOfManifestKey(o.key)).filter((r): r is PartitionRef => r !== undefined);
      return refs.sort(compareRefs);
    },

    readManifest: (ref) => objects.getText(keyOf(ref, MANIFEST_NAME)),

    stagingDir(ref, generation) {
      partitionFolder(ref);
      return safeJoin(stagingRoot, `${ref.table}.${ref.experimentId}.${generation}`);
    },

    async commitFiles(ref, stagingDir, names) {
      try {
        return await mapLimit(names, UPLOAD_CONCURRENCY, async (name): Promise<LakeFile> => {
          const stored = await objects.putFile(keyOf(ref, name), safeJoin(stagingDir, name));
          return { name, size: stored.size, md5: stored.md5, etag: stored.etag };
        });
      } finally {
        await rm(stagingDir, { recursive: true, force: true });
      }
    },

    async writeManifest(ref, text) {
      await objects.putBytes(keyOf(ref, MANIFEST_NAME), text);
    },

    async listFiles(ref) {
      const folder = `${partitionFolder(ref)}/`;
      return (await objects.list(folder)).map((o) => o.key.slice(folder.length)).filter((n) => n !== MANIFEST_NAME);
    },

    async deleteFiles(ref, names) {
      await objects.remove(names.map((n) => keyOf(ref, n)));
    },

    localPath: (ref, file) => objects.cachedCopy({ key: keyOf(ref, file.name), size: file.size, etag: file.etag }),

    close: () => objects.close(),
  };
}
