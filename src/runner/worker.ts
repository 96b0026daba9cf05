/**
 * `xp enqueue` and `xp worker`: builds spread over any number of machines through the
 * build queue in the state's PostgreSQL (src/queue/boss.ts). A worker claims jobs, builds
 * each experiment in a child `xp build` (src/runner/child-build.ts: from the raw store,
 * committing partitions to its warehouse and the lake, state to PostgreSQL), and marks the
 * job complete, or failed to be retried with backoff. Two workers never build one
 * experiment at once: the queue keeps one active job per experiment, and the build takes
 * the experiment's advisory lock (src/state/postgres/advisory-locks.ts), so a job retried
 * while an abandoned build still runs waits its turn (exit 3, retried) instead of racing it.
 */
import { XpError } from '../core/errors.ts';
import { selectExperiments } from '../graph/selectors.ts';
import { openBuildQueue, type BuildJob, type BuildQueue, type ClaimedJob } from '../queue/boss.ts';
import { stateLocation } from '../state/open.ts';
import type { PostgresTarget } from '../state/postgres/target.ts';
import type { Project } from '../workspace/project.ts';
import { startChildBuild, type ChildBuildResult } from './child-build.ts';

function queueTarget(project: Project, command: string): PostgresTarget {
  const loc = stateLocation(project.config);
  if (loc.backend !== 'postgres') {
    throw new XpError('CONFIG_INVALID', `${command} needs the state in PostgreSQL: the build queue lives there`, {
      location: { file: project.config.file },
      hint: 'add `state: { url_env: XP_STATE_URL }` to the config and export XP_STATE_URL=postgres://…; on one machine, `xp build --select <sel> --jobs N` needs no server',
    });
  }
  return loc.target;
}

export interface EnqueueOutcome {
  readonly queued: readonly string[];
  /** already waiting in the queue (the queue keeps one waiting build per experiment) */
  readonly alreadyQueued: readonly string[];
}

export async function enqueueBuilds(project: Project, select: string, opts: { fullRefresh?: boolean; force?: boolean }): Promise<EnqueueOutcome> {
  const ids = selectExperiments(project.config.experiments.map((e) => e.id), select);
  const queue = await openBuildQueue(queueTarget(project, 'xp enqueue'));
  try {
    return await queue.enqueue(ids.map((experimentId): BuildJob => ({ experimentId, fullRefresh: !!opts.fullRefresh, force: !!opts.force })));
  } finally {
    await queue.close();
  }
}

export type WorkerEvent =
  | { readonly type: 'claimed'; readonly job: ClaimedJob }
  | { readonly type: 'line'; readonly job: ClaimedJob; readonly line: string }
  | { readonly type: 'finished'; readonly job: ClaimedJob; readonly result: ChildBuildResult; readonly outcome: 'completed' | 'failed' }
  | { readonly type: 'idle'; readonly outstanding: number };

export interface WorkerOptions {
  readonly concurrency: number;
  /** exit once nothing is queued, waiting for a retry or active anywhere */
  readonly drain: boolean;
  readonly pollSeconds?: number;
  readonly onEvent: (e: WorkerEvent) => void;
  /** resolves to stop claiming (SIGTERM); running builds finish first */
  readonly stop?: Promise<void>;
}

export interface WorkerOutcome {
  /** jobs done: built, or refused by the project or a failed stage (not worth a retry) */
  readonly completed: number;
  /** of those, the builds that exited 1 (a stage failed) or 2 (the project) */
  readonly buildErrors: number;
  /** attempts handed back to the queue to retry (a lock, an unreachable store, a crash) */
  readonly failed: number;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export async function runWorker(project: Project, opts: WorkerOptions): Promise<WorkerOutcome> {
  const queue: BuildQueue = await openBuildQueue(queueTarget(project, 'xp worker'));
  const running = new Set<Promise<void>>();
  let completed = 0;
  let buildErrors = 0;
  let failed = 0;
  let stopping = false;
  void opts.stop?.then(() => {
    stopping = true;
  });
  const run = async (job: ClaimedJob): Promise<void> => {
    opts.onEvent({ type: 'claimed', job });
    const child = startChildBuild(project.config, job.data.experimentId, { fullRefresh: job.data.fullRefresh, force: job.data.force, sideBySide: opts.concurrency },
      (line) => opts.onEvent({ type: 'line', job, line }));
    const result = await child.done;
    const summary = { code: result.code, signal: result.signal, seconds: result.seconds, stderr: result.stderrTail.slice(-2000) };
    // a stage that failed (exit 1) is the data's verdict, recorded in the ledger: done, not retried;
    // a lock (3), an unreachable store or a crash is retried
    if (result.code === 0 || result.code === 1 || result.code === 2) {
      await queue.complete(job, summary);
      completed++;
      if (result.code !== 0) buildErrors++;
      opts.onEvent({ type: 'finished', job, result, outcome: 'completed' });
    } else {
      await queue.fail(job, summary);
      failed++;
      opts.onEvent({ type: 'finished', job, result, outcome: 'failed' });
    }
  };
  try {
    for (;;) {
      if (stopping) break;
      const free = opts.concurrency - running.size;
      const jobs = free > 0 ? await queue.claim(free) : [];
      for (const job of jobs) {
        const p: Promise<void> = run(job).finally(() => running.delete(p));
        running.add(p);
      }
      if (!jobs.length) {
        if (opts.drain && running.size === 0) {
          await queue.expire();
          const outstanding = await queue.outstanding();
          if (outstanding === 0) break;
          opts.onEvent({ type: 'idle', outstanding });
        }
        await Promise.race([sleep((opts.pollSeconds ?? 1) * 1000), ...running]);
      }
    }
    await Promise.all(running);
    return { completed, buildErrors, failed };
  } finally {
    await queue.close();
  }
}
