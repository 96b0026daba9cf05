/**
 * Per-test setup for S3 store tests: a fresh s3rver on a free loopback port, a temp
 * folder, and stores that each get their own project root (so their caches never mix).
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import { s3RawStore, type S3StoreOptions } from '../../../src/storage/s3/raw-store.ts';
import type { RawStore } from '../../../src/storage/types.ts';
import { s3TestConfig, tempDir, writeFile } from './s3-config.ts';
import { S3RVER_CREDENTIALS, startS3Server, type TestS3Server } from './s3-server.ts';

export const md5 = (s: string | Buffer): string => createHash('md5').update(s).digest('hex');

export interface StoreOverrides {
  /** default: the test server */
  readonly endpoint?: string;
  readonly raw?: string;
}

export interface S3Fixture {
  readonly server: TestS3Server;
  readonly tmp: string;
  /** a store rooted at `<tmp>/<name>`; same name = same cache (a later run of the same project) */
  store(name: string, options?: S3StoreOptions, overrides?: StoreOverrides): Promise<RawStore>;
  /** upload files (relative key → content) for an experiment through a separate writer store */
  seed(experimentId: string, files: Record<string, string | Buffer>): Promise<void>;
  /** `<tmp>/<name>/target/cache/s3/raw/exp_platform` */
  cacheRoot(name: string): string;
}

export function useS3Fixture(buckets: readonly string[] = ['raw']): S3Fixture {
  let server: TestS3Server | undefined;
  let tmp: ReturnType<typeof tempDir> | undefined;
  const open: RawStore[] = [];

  beforeEach(async () => {
    server = await startS3Server(buckets);
    tmp = tempDir('s3-store');
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((s) => s.close?.()));
    await server?.dispose();
    tmp?.remove();
  });

  const fixture: S3Fixture = {
    get server() {
      return server!;
    },
    get tmp() {
      return tmp!.dir;
    },
    async store(name, options = {}, overrides = {}) {
      const config = s3TestConfig({ endpoint: overrides.endpoint ?? server!.endpoint, raw: overrides.raw, root: path.join(tmp!.dir, name) });
      const s = await s3RawStore(config, { env: S3RVER_CREDENTIALS, ...options });
      open.push(s);
      return s;
    },
    async seed(experimentId, files) {
      const writer = await fixture.store('writer');
      for (const [key, content] of Object.entries(files)) {
        await writer.put(experimentId, key, writeFile(tmp!.dir, `upload-${md5(key)}`, content));
      }
    },
    cacheRoot(name) {
      return path.join(tmp!.dir, name, 'target', 'cache', 's3', 'raw', 'exp_platform');
    },
  };
  return fixture;
}
