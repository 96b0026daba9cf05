/**
 * Everything the S3 back end needs from the project config and the environment, resolved
 * once: bucket and prefix from `storage.raw`, endpoint/region/addressing from `storage.s3`,
 * credentials from the environment variables that config names (never from files).
 */
import path from 'node:path';
import { XpError } from '../../core/errors.ts';
import type { ProjectConfig } from '../../project/types.ts';

export interface S3Settings {
  /** `s3://bucket/prefix`, as configured (no trailing slash) */
  readonly uri: string;
  readonly bucket: string;
  /** key prefix without leading or trailing slash; '' for the bucket root */
  readonly prefix: string;
  /** undefined = AWS's own endpoint for the region */
  readonly endpoint: string | undefined;
  readonly region: string;
  readonly pathStyle: boolean;
  readonly accessKeyEnv: string;
  readonly secretKeyEnv: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  /** absolute `<storage.cache>` folder */
  readonly cacheRoot: string;
  /** the config file, for error locations */
  readonly configFile: string;
  /** the config key the URI came from (`storage.raw`, `storage.lake`), for hints; default storage.raw */
  readonly field?: string;
}

/** Used when `storage.raw` is s3:// but `storage.s3` is absent: plain AWS. */
const AWS_DEFAULTS = {
  region: 'us-east-1',
  path_style: false,
  access_key_env: 'AWS_ACCESS_KEY_ID',
  secret_key_env: 'AWS_SECRET_ACCESS_KEY',
} as const;

/** How error messages name the endpoint. */
export function endpointLabel(s: Pick<S3Settings, 'endpoint' | 'region'>): string {
  return s.endpoint ?? `AWS S3 (${s.region})`;
}

/** `s3://bucket/a/b/` → { bucket: 'bucket', prefix: 'a/b' }; `field` names the config key in errors. */
export function parseS3Uri(uri: string, configFile: string, field = 'storage.raw'): { bucket: string; prefix: string } {
  const m = /^s3:\/\/([^/]+)\/?(.*)$/.exec(uri);
  const bucket = m?.[1];
  const prefix = (m?.[2] ?? '').replace(/\/+$/, '');
  const badSegment = prefix.split('/').some((seg) => seg === '' || seg === '.' || seg === '..');
  if (!bucket || !/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket) || (prefix !== '' && badSegment)) {
    throw new XpError('CONFIG_INVALID', `${field}: ${JSON.stringify(uri)} is not a valid s3://<bucket>/<prefix> URI`, {
      location: { file: configFile },
      hint: 'use a lower-case bucket name and a prefix without empty, "." or ".." segments, e.g. s3://raw/exp_platform',
    });
  }
  return { bucket, prefix };
}

/**
 * Resolve the settings for `storage.raw` (or another s3:// URI of the config, e.g.
 * `storage.lake`: same endpoint and credentials); fails with STORAGE_AUTH when a
 * credential variable is unset.
 */
export function resolveS3Settings(
  config: ProjectConfig,
  env: NodeJS.ProcessEnv = process.env,
  target: { readonly uri: string; readonly field: string } = { uri: config.storage.raw, field: 'storage.raw' },
): S3Settings {
  const { bucket, prefix } = parseS3Uri(target.uri, config.file, target.field);
  const s3 = config.storage.s3;
  const endpoint = s3?.endpoint.replace(/\/+$/, '');
  const region = s3?.region ?? AWS_DEFAULTS.region;
  const accessKeyEnv = s3?.access_key_env ?? AWS_DEFAULTS.access_key_env;
  const secretKeyEnv = s3?.secret_key_env ?? AWS_DEFAULTS.secret_key_env;
  const missing = [accessKeyEnv, secretKeyEnv].filter((name) => !env[name]);
  if (missing.length > 0) {
    throw new XpError(
      'STORAGE_AUTH',
      `no credentials for ${endpointLabel({ endpoint, region })} (bucket ${bucket}): environment variable${missing.length > 1 ? 's' : ''} ${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} not set`,
      {
        location: { file: config.file },
        hint: `export ${accessKeyEnv}=… and ${secretKeyEnv}=… (names from storage.s3.access_key_env / secret_key_env); \`npm run s3:dev\` prints the values for the local server`,
      },
    );
  }
  return {
    uri: `s3://${bucket}${prefix ? `/${prefix}` : ''}`,
    bucket,
    prefix,
    endpoint,
    region,
    pathStyle: s3?.path_style ?? AWS_DEFAULTS.path_style,
    accessKeyEnv,
    secretKeyEnv,
    accessKeyId: env[accessKeyEnv]!,
    secretAccessKey: env[secretKeyEnv]!,
    cacheRoot: path.resolve(config.root, config.storage.cache),
    configFile: config.file,
    field: target.field,
  };
}
