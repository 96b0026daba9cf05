/**
 * The mini fixture project pointed at a test S3 server: `configs/s3.yaml` is its dev.yaml
 * with `storage.raw` (and optionally `storage.lake`) in buckets, and its raw Parquet can
 * be uploaded there by a separate writer (own cache), as a loader outside the platform would.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { s3RawStore } from '../../../src/storage/s3/raw-store.ts';
import { writeMiniRaw, type TempProject } from '../../helpers/project.ts';
import { s3TestConfig } from './s3-config.ts';
import { S3RVER_CREDENTIALS } from './s3-server.ts';

export const S3_CONFIG = 'configs/s3.yaml';

export interface S3ProjectOptions {
  readonly endpoint: string;
  /** default s3://raw/exp_platform */
  readonly raw?: string;
  /** default none */
  readonly lake?: string;
}

/** Write `configs/s3.yaml` into the mini project copy. */
export function writeS3Config(p: TempProject, o: S3ProjectOptions): void {
  const storage = [
    'storage:',
    `  raw: ${o.raw ?? 's3://raw/exp_platform'}`,
    ...(o.lake ? [`  lake: ${o.lake}`] : []),
    '  cache: target/cache',
    `  s3: { endpoint: ${o.endpoint}, region: us-east-1, path_style: true, access_key_env: MINIO_ACCESS_KEY, secret_key_env: MINIO_SECRET_KEY }`,
  ].join('\n');
  p.write(S3_CONFIG, p.read('configs/dev.yaml').replace(/storage:\n {2}raw: file:\/\/raw/, storage));
}

/**
 * Upload mini raw data (`<id>/events/<file>`, rows salted by `salt`) to s3://raw/exp_platform
 * through a writer with its own temp cache, so the project's cache stays cold.
 */
export async function uploadMiniRaw(endpoint: string, experiments: Readonly<Record<string, number>>, file = 'part-0.parquet'): Promise<void> {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'xp-s3-writer-'));
  try {
    await writeMiniRaw(path.join(tmp, 'raw'), experiments);
    const store = await s3RawStore(s3TestConfig({ endpoint, root: path.join(tmp, 'writer') }), { env: S3RVER_CREDENTIALS });
    try {
      for (const id of Object.keys(experiments)) await store.put(id, `events/${file}`, path.join(tmp, 'raw', id, 'events', 'part-0.parquet'));
    } finally {
      await store.close?.();
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
