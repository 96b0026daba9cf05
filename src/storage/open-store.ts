/** Pick the raw store back end from the config's storage.raw URI. */
import path from 'node:path';
import { XpError } from '../core/errors.ts';
import type { ProjectConfig } from '../project/types.ts';
import type { RawStore } from './types.ts';
import { localRawStore } from './local/raw-store.ts';

export async function openRawStore(config: ProjectConfig): Promise<RawStore> {
  const uri = config.storage.raw;
  if (uri.startsWith('file://')) return localRawStore(path.resolve(config.root, uri.slice('file://'.length)));
  if (uri.startsWith('s3://')) {
    // Loaded lazily so the S3 client is only imported when an S3 store is configured.
    const { s3RawStore } = await import('./s3/raw-store.ts');
    return s3RawStore(config);
  }
  if (uri === 'postgres') {
    // Loaded lazily so pg is only imported when the raw tables live in PostgreSQL or Redshift.
    const { postgresRawStore } = await import('./postgres/raw-store.ts');
    return postgresRawStore(config);
  }
  throw new XpError('CONFIG_INVALID', `storage.raw: unsupported URI ${uri}`, {
    location: { file: config.file },
    hint: 'use file://<folder>, s3://<bucket>/<prefix> or postgres',
  });
}
