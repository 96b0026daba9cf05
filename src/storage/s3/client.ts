/**
 * The S3 client, configured from the resolved settings. The SDK's own retries are off
 * (maxAttempts 1): retry.ts retries whole operations, including a download whose body
 * stream broke half-way, which the SDK cannot see.
 */
import { S3Client } from '@aws-sdk/client-s3';
import type { S3Settings } from './settings.ts';

/** Give up connecting after this long; an idle socket (no bytes) is dropped after SOCKET_IDLE_MS. */
export const CONNECT_TIMEOUT_MS = 5_000;
export const SOCKET_IDLE_MS = 30_000;

const quiet = (): void => {};
const SILENT_LOGGER = { debug: quiet, info: quiet, warn: quiet, error: quiet };

export function createS3Client(s: S3Settings): S3Client {
  // The project supports Node 20 (package.json engines) and the lockfile pins the SDK; its
  // notice that SDK releases after January 2027 need Node 22 is for maintainers, not for
  // someone running `xp build`, so it is not printed on every run.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  return new S3Client({
    region: s.region,
    ...(s.endpoint ? { endpoint: s.endpoint } : {}),
    forcePathStyle: s.pathStyle,
    credentials: { accessKeyId: s.accessKeyId, secretAccessKey: s.secretAccessKey },
    maxAttempts: 1,
    // Plain PUT/GET without the SDK's default CRC32 trailers: with them a streamed PUT is
    // sent aws-chunked, and s3rver 3.7 stores the chunk framing as the object's bytes
    // (S3-compatible servers vary here). Integrity is checked with Content-MD5 on upload
    // and MD5/size against the ETag on download instead.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    requestHandler: { connectionTimeout: CONNECT_TIMEOUT_MS, socketTimeout: SOCKET_IDLE_MS },
    // Without a logger the SDK console.warn()s on a failed streamed PUT; our errors say it better.
    logger: SILENT_LOGGER,
  });
}
