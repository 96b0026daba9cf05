/**
 * Bounded retries with exponential backoff and full jitter (AWS Architecture Blog,
 * "Exponential Backoff and Jitter", 2015: sleep = random(0, min(cap, base · 2^attempt))).
 * Only failures the caller classifies as transient are retried; everything else fails fast.
 */

export interface RetryPolicy {
  /** total attempts, first one included */
  readonly maxAttempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

/** 4 attempts: waits of at most 0.25 s, 0.5 s, 1 s before giving up. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 4, baseDelayMs: 250, maxDelayMs: 5_000 };

export type Sleep = (ms: number) => Promise<void>;
const realSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** The wait before retry number `attempt` (1-based), full jitter. */
export function backoffDelay(policy: RetryPolicy, attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.floor(random() * ceiling);
}

export interface RetryOptions {
  readonly policy: RetryPolicy;
  /** true when the error may go away by itself (connection reset, 5xx, throttling, timeout) */
  readonly isTransient: (err: unknown) => boolean;
  readonly sleep?: Sleep;
  /** called before each retry, e.g. to clean up a partial download */
  readonly onRetry?: (err: unknown, attempt: number) => void | Promise<void>;
}

/** Run `fn` until it succeeds, fails permanently, or the attempts run out (last error thrown). */
export async function withRetry<T>(fn: (attempt: number) => Promise<T>, opts: RetryOptions): Promise<T> {
  const sleep = opts.sleep ?? realSleep;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (err) {
      if (attempt >= opts.policy.maxAttempts || !opts.isTransient(err)) throw err;
      await opts.onRetry?.(err, attempt);
      await sleep(backoffDelay(opts.policy, attempt));
    }
  }
}
