/** Pick the lake back end from the config's storage.lake URI (undefined when none is set). */
import path from 'node:path';
import { XpError } from '../core/errors.ts';
import type { ProjectConfig } from '../project/types.ts';
import type { Lake } from './lake.ts';
import { localLake } from './local/lake.ts';

export async function openLake(config: ProjectConfig, env: NodeJS.ProcessEnv = process.env): Promise<Lake | undefined> {
  const uri = config.storage.lake;
  if (uri === undefined) return undefined;
  if (uri.startsWith('file://')) return localLake(path.resolve(config.root, uri.slice('file://'.length)));
  if (uri.startsWith('s3://')) {
    // Loaded lazily so the S3 client is only imported when an S3 lake is configured.
    const { s3Lake } = await import('./s3/lake.ts');
    return s3Lake(config, uri, { env });
  }
  throw new XpError('CONFIG_INVALID', `storage.lake: unsupported URI ${uri}`, {
    location: { file: config.file },
    hint: 'use file://<folder> or s3://<bucket>/<prefix>',
  });
}
