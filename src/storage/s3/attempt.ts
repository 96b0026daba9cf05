/**
 * One S3 call as the back end makes it: retry transient failures with backoff, then map
 * whatever is left to an XpError naming the endpoint, bucket, key and what was being done
 * (with the codes of the failures retried before it).
 */
import { failureCode, isTransient, toStorageError } from './error-map.ts';
import { DEFAULT_RETRY_POLICY, withRetry, type RetryPolicy, type Sleep } from './retry.ts';
import type { S3Settings } from './settings.ts';

export interface AttemptWhere {
  readonly key?: string;
  readonly experimentId?: string;
}

export type Attempt = <T>(action: string, fn: () => Promise<T>, where?: AttemptWhere) => Promise<T>;

export function s3Attempt(settings: S3Settings, options: { readonly retry?: RetryPolicy; readonly sleep?: Sleep }): Attempt {
  const policy = options.retry ?? DEFAULT_RETRY_POLICY;
  return async (action, fn, where = {}) => {
    const earlier: string[] = [];
    try {
      return await withRetry(fn, {
        policy,
        isTransient,
        onRetry: (err) => void earlier.push(failureCode(err)),
        ...(options.sleep ? { sleep: options.sleep } : {}),
      });
    } catch (err) {
      throw toStorageError(err, { settings, action, attempts: earlier.length + 1, earlier, ...where });
    }
  };
}
