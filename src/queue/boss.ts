/**
 * The build queue, on pg-boss (https://github.com/timgit/pg-boss, v10: Node 20), in schema
 * `xp_queue` of the state's PostgreSQL database. One job per experiment build. The queue's
 * `stately` policy keeps at most one queued and one active job per experiment (the
 * singleton key): enqueueing again while a build runs queues one rebuild, never two at
 * once. A failed job is retried with backoff; a job whose worker died stays active until
 * it expires, then is retried (the build resumes from its committed stages). The only
 * module that talks to pg-boss.
 */
import PgBoss from 'pg-boss';
import { XpError } from '../core/errors.ts';
import type { PostgresTarget } from '../state/postgres/target.ts';

export const BUILD_QUEUE = 'xp-build';
const SCHEMA = 'xp_queue';

export interface BuildJob {
  readonly experimentId: string;
  readonly fullRefresh: boolean;
  readonly force: boolean;
}

export interface ClaimedJob {
  readonly id: string;
  readonly data: BuildJob;
  /** 0 on the first try */
  readonly retryCount: number;
}

export interface BuildQueue {
  enqueue(jobs: readonly BuildJob[]): Promise<{ queued: string[]; alreadyQueued: string[] }>;
  /** claim up to `n` jobs (marks them active) */
  claim(n: number): Promise<ClaimedJob[]>;
  complete(job: ClaimedJob, result: object): Promise<void>;
  fail(job: ClaimedJob, result: object): Promise<void>;
  /** jobs queued, waiting for a retry, or active on any worker */
  outstanding(): Promise<number>;
  /** move jobs active past their expiry back to be retried (what pg-boss's maintenance does) */
  expire(): Promise<void>;
  close(): Promise<void>;
}

const envSeconds = (name: string, fallback: number): number => {
  const v = Number(process.env[name]);
  return Number.isFinite(v) && v >= 1 ? Math.round(v) : fallback;
};

/** How long a job may stay active before it counts as abandoned (its worker died); XP_JOB_EXPIRE_SECONDS, default 2 h. */
export const jobExpireSeconds = (): number => envSeconds('XP_JOB_EXPIRE_SECONDS', 2 * 3600);

export async function openBuildQueue(target: PostgresTarget): Promise<BuildQueue> {
  const boss = new PgBoss({
    connectionString: target.url,
    schema: SCHEMA,
    application_name: 'exp-platform worker',
    max: 4,
    // we call expire() ourselves while draining; pg-boss's own maintenance covers the rest
    maintenanceIntervalSeconds: envSeconds('XP_QUEUE_MAINTENANCE_SECONDS', 60),
  });
  boss.on('error', () => undefined); // surfaced by the call that hits it
  try {
    await boss.start();
    await boss.createQueue(BUILD_QUEUE, {
      name: BUILD_QUEUE,
      policy: 'stately',
      retryLimit: envSeconds('XP_JOB_RETRY_LIMIT', 3),
      retryDelay: 2,
      retryBackoff: true,
      expireInSeconds: jobExpireSeconds(),
    });
  } catch (cause) {
    await boss.stop({ graceful: false }).catch(() => undefined);
    throw new XpError('STATE_UNAVAILABLE', `cannot open the build queue in PostgreSQL at ${target.where}: ${cause instanceof Error ? cause.message : String(cause)}`, {
      hint: `check that the server is up and ${target.urlEnv} names a database this user may create schema ${SCHEMA} in`,
      cause,
    });
  }
  return {
    async enqueue(jobs) {
      const queued: string[] = [];
      const alreadyQueued: string[] = [];
      for (const job of jobs) {
        const id = await boss.send(BUILD_QUEUE, { ...job }, { singletonKey: job.experimentId, expireInSeconds: jobExpireSeconds() });
        (id ? queued : alreadyQueued).push(job.experimentId);
      }
      return { queued, alreadyQueued };
    },
    async claim(n) {
      const jobs = await boss.fetch<BuildJob>(BUILD_QUEUE, { batchSize: n, includeMetadata: true });
      return jobs.map((j) => ({ id: j.id, data: j.data, retryCount: j.retryCount }));
    },
    complete: (job, result) => boss.complete(BUILD_QUEUE, job.id, result),
    fail: (job, result) => boss.fail(BUILD_QUEUE, job.id, result),
    outstanding: () => boss.getQueueSize(BUILD_QUEUE, { before: 'completed' }),
    expire: () => boss.expire(),
    close: () => boss.stop({ graceful: false, wait: true }),
  };
}
