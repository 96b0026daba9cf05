/**
 * Classify what the S3 client (or a download stream) threw, and turn it into an XpError
 * that names the endpoint, the bucket, the key and what to check. Transient kinds are
 * retried by the caller first; the rest fail fast.
 */
import { XpError } from '../../core/errors.ts';
import { endpointLabel, type S3Settings } from './settings.ts';

export type FailureKind =
  /** connection reset, 5xx, throttling, timeouts: worth retrying */
  | 'transient'
  /** nothing listens at the endpoint (refused, unknown host) */
  | 'unreachable'
  /** credentials refused */
  | 'auth'
  | 'no-bucket'
  | 'no-key'
  /** If-Match failed: the object changed after it was listed */
  | 'changed'
  /** an S3 error we have no better name for */
  | 'other-s3'
  /** not an S3 or network failure at all (e.g. a local disk error): passed through */
  | 'foreign';

const TRANSIENT_NET = new Set(['ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ECONNABORTED', 'EAI_AGAIN', 'ERR_STREAM_PREMATURE_CLOSE', 'UND_ERR_SOCKET']);
const UNREACHABLE_NET = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL']);
const TRANSIENT_S3 = new Set(['SlowDown', 'Throttling', 'ThrottlingException', 'TooManyRequests', 'TooManyRequestsException', 'RequestTimeout', 'RequestTimeoutException', 'InternalError', 'ServiceUnavailable', 'TimeoutError']);
const AUTH_S3 = new Set(['InvalidAccessKeyId', 'SignatureDoesNotMatch', 'AccessDenied', 'InvalidToken', 'ExpiredToken', 'AuthorizationHeaderMalformed']);

interface ErrorLike {
  readonly name?: unknown;
  readonly code?: unknown;
  readonly message?: unknown;
  readonly cause?: unknown;
  readonly errors?: unknown;
  readonly $metadata?: { readonly httpStatusCode?: number };
}

/** The error and everything it wraps (cause chain, AggregateError members), depth-limited. */
function chain(err: unknown, depth = 0): ErrorLike[] {
  if (err === null || typeof err !== 'object' || depth > 4) return [];
  const e = err as ErrorLike;
  const inner = [e.cause, ...(Array.isArray(e.errors) ? e.errors : [])];
  return [e, ...inner.flatMap((c) => chain(c, depth + 1))];
}

/** The S3 error code (`NoSuchBucket`) or network code (`ECONNREFUSED`) most telling for a message. */
export function failureCode(err: unknown): string {
  for (const e of chain(err)) {
    if (typeof e.code === 'string') return e.code;
    if (e.$metadata && typeof e.name === 'string' && e.name !== 'Error') return e.name;
  }
  const first = chain(err)[0];
  return typeof first?.name === 'string' && first.name !== 'Error' ? first.name : String(first?.message ?? err);
}

function httpStatus(err: unknown): number | undefined {
  for (const e of chain(err)) if (typeof e.$metadata?.httpStatusCode === 'number') return e.$metadata.httpStatusCode;
  return undefined;
}

export function classifyFailure(err: unknown): FailureKind {
  if (err instanceof XpError) return 'foreign';
  const links = chain(err);
  const codes = links.flatMap((e) => [e.code, e.name]).filter((c): c is string => typeof c === 'string');
  const status = httpStatus(err);
  if (codes.some((c) => UNREACHABLE_NET.has(c))) return 'unreachable';
  if (codes.some((c) => TRANSIENT_NET.has(c) || TRANSIENT_S3.has(c))) return 'transient';
  if (links.some((e) => e.message === 'aborted' || e.message === 'socket hang up')) return 'transient';
  if (codes.includes('NoSuchBucket')) return 'no-bucket';
  if (codes.includes('NoSuchKey')) return 'no-key';
  if (codes.includes('PreconditionFailed') || status === 412) return 'changed';
  if (codes.some((c) => AUTH_S3.has(c)) || status === 401 || status === 403) return 'auth';
  if (status !== undefined && (status >= 500 || status === 429 || status === 408)) return 'transient';
  if (status !== undefined || links.some((e) => e.$metadata !== undefined)) return 'other-s3';
  return 'foreign';
}

export const isTransient = (err: unknown): boolean => classifyFailure(err) === 'transient';

export interface FailureContext {
  readonly settings: S3Settings;
  /** what we were doing, e.g. "listing s3://raw/exp_platform/exp_1/" */
  readonly action: string;
  /** bucket key, when one object was concerned */
  readonly key?: string;
  readonly experimentId?: string;
  /** attempts made, for transient failures that ran out of retries */
  readonly attempts?: number;
  /** codes of the transient failures retried before this one, e.g. a download cut off */
  readonly earlier?: readonly string[];
}

/** Turn any failure into an XpError with endpoint, bucket, key and a hint; XpErrors and local errors pass through. */
export function toStorageError(err: unknown, ctx: FailureContext): unknown {
  const kind = classifyFailure(err);
  if (kind === 'foreign') return err;
  const s = ctx.settings;
  const ep = endpointLabel(s);
  const earlier = ctx.earlier?.length ? `; earlier attempt${ctx.earlier.length > 1 ? 's' : ''}: ${ctx.earlier.join(', ')}` : '';
  const code = failureCode(err) + (kind === 'transient' ? '' : earlier);
  const location = { file: s.configFile, ...(ctx.experimentId ? { experiment: ctx.experimentId } : {}), ...(ctx.key ? { object: `s3://${s.bucket}/${ctx.key}` } : {}) };
  const init = (hint: string) => ({ location, hint, cause: err });
  switch (kind) {
    case 'unreachable':
      return new XpError('STORAGE_UNAVAILABLE', `cannot reach S3 endpoint ${ep} (${code}) while ${ctx.action}: is the server running? \`npm run s3:dev\``, init(
        `start the server (\`npm run s3:dev\`, or \`docker compose up -d\` for MinIO) or fix storage.s3.endpoint in ${s.configFile}`,
      ));
    case 'auth':
      return new XpError('STORAGE_AUTH', `S3 endpoint ${ep} refused the credentials (${code}) while ${ctx.action} in bucket ${s.bucket}`, init(
        `check the environment variables ${s.accessKeyEnv} and ${s.secretKeyEnv} (storage.s3.access_key_env / secret_key_env) and that this key may read and write bucket ${s.bucket}`,
      ));
    case 'no-bucket':
      return new XpError('STORAGE_NOT_FOUND', `bucket ${s.bucket} does not exist on ${ep} (NoSuchBucket) while ${ctx.action}`, init(
        `create it (\`npm run s3:dev\` creates the config's buckets; \`mc mb <alias>/${s.bucket}\` for MinIO) or fix ${s.field ?? 'storage.raw'} in ${s.configFile}`,
      ));
    case 'no-key':
      return new XpError('STORAGE_NOT_FOUND', `object s3://${s.bucket}/${ctx.key ?? '?'} on ${ep} was listed but is gone (NoSuchKey) while ${ctx.action}`, init(
        'the object was deleted after the listing; run again to take a new snapshot',
      ));
    case 'changed':
      return new XpError('INPUT_CHANGED', `object s3://${s.bucket}/${ctx.key ?? '?'} on ${ep} changed after it was listed (${code}) while ${ctx.action}`, init(
        'someone rewrote the raw data during the run; run again to take a new snapshot (the build then refuses changed objects unless --accept-input-change)',
      ));
    case 'transient':
      return new XpError('STORAGE_UNAVAILABLE', `S3 endpoint ${ep} kept failing (${code}) while ${ctx.action}${ctx.attempts ? `; gave up after ${ctx.attempts} attempt${ctx.attempts > 1 ? 's' : ''}` : ''}`, init(
        'the server is overloaded, restarting or went away; check it and run again (completed downloads are kept in the cache)',
      ));
    case 'other-s3':
      return new XpError('STORAGE_UNAVAILABLE', `S3 endpoint ${ep} answered ${code}${httpStatus(err) ? ` (HTTP ${httpStatus(err)})` : ''} while ${ctx.action} in bucket ${s.bucket}`, init(
        'see the S3 error code above; check the endpoint, bucket and storage.s3 settings',
      ));
  }
}
