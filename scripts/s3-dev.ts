/**
 * `npm run s3:dev`: a local S3-protocol server (s3rver) on loopback for configs/minio.yaml,
 * so the S3 raw store works without Docker. Creates the buckets the config names
 * (storage.raw and storage.lake), keeps its data in target/s3rver, and prints the
 * endpoint and the environment variables to export.
 *
 *   npm run s3:dev -- [--config configs/minio.yaml] [--port 9000] [--dir target/s3rver] [--bucket name]…
 *
 * Port: --port, else $S3_DEV_PORT, else the port of the config's storage.s3.endpoint, else 9000.
 * s3rver accepts exactly one access key id, S3RVER (any other → InvalidAccessKeyId), and
 * does not check SigV4 signatures, so the secret is not verified.
 * Run under --openssl-legacy-provider (the npm script does): s3rver encrypts ListObjectsV2
 * continuation tokens with DES, which OpenSSL 3 only offers there; without it any listing
 * longer than one page (1000 keys) fails with InternalError.
 */
import { createCipheriv } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import S3rver from 's3rver';
import { formatError } from '../src/core/errors.ts';
import { loadConfig } from '../src/project/load-config.ts';

const CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;

function bucketOf(uri: string | undefined): string | undefined {
  return uri?.startsWith('s3://') ? uri.slice('s3://'.length).split('/')[0] : undefined;
}

function desAvailable(): boolean {
  try {
    createCipheriv('des', Buffer.alloc(8), Buffer.alloc(8));
    return true;
  } catch {
    return false;
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      config: { type: 'string', default: 'configs/minio.yaml' },
      port: { type: 'string' },
      dir: { type: 'string', default: 'target/s3rver' },
      bucket: { type: 'string', multiple: true, default: [] },
    },
  });
  const config = loadConfig(values.config!);
  const s3 = config.storage.s3;
  const configPort = s3 ? Number(new URL(s3.endpoint).port || 80) : undefined;
  const port = Number(values.port ?? process.env.S3_DEV_PORT ?? configPort ?? 9000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port: ${values.port ?? process.env.S3_DEV_PORT} is not a port number`);
  const buckets = [...new Set([bucketOf(config.storage.raw), bucketOf(config.storage.lake), ...values.bucket!].filter((b): b is string => !!b))];
  const dir = path.resolve(values.dir!);
  mkdirSync(dir, { recursive: true });

  const server = new S3rver({ address: '127.0.0.1', port, silent: true, directory: dir, configureBuckets: buckets.map((name) => ({ name })) });
  const addr = await server.run();
  const endpoint = `http://127.0.0.1:${addr.port}`;
  const accessEnv = s3?.access_key_env ?? 'AWS_ACCESS_KEY_ID';
  const secretEnv = s3?.secret_key_env ?? 'AWS_SECRET_ACCESS_KEY';
  const shown = path.relative(process.cwd(), dir);
  console.log(`s3rver listening on ${endpoint} (data in ${shown.startsWith('..') ? dir : shown || '.'})`);
  console.log(`buckets: ${buckets.join(', ') || '(none: the config names no s3:// bucket)'}`);
  if (s3 && s3.endpoint.replace(/\/+$/, '') !== endpoint) console.log(`note: ${values.config} says endpoint ${s3.endpoint}; point it here or pass --port ${configPort}`);
  if (!desAvailable()) console.log('warning: started without --openssl-legacy-provider: listings longer than 1000 keys will fail (use `npm run s3:dev`)');
  console.log('export these, then run xp with --config', values.config);
  console.log(`  export ${accessEnv}=${CREDENTIALS.accessKeyId} ${secretEnv}=${CREDENTIALS.secretAccessKey}`);
  console.log('Ctrl-C stops the server.');

  const stop = (): void => {
    server.httpServer.closeAllConnections();
    void server.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err: unknown) => {
  console.error(formatError(err));
  process.exit(2);
});
