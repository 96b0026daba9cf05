/**
 * `xp build --select <sel> --jobs N`: the selected experiments, N child builds at a time
 * (src/runner/child-build.ts), each committing its own partitions (src/engine/scratch), so
 * a scheduler's daily build of every experiment uses the machine's cores. As a
 * multi-experiment build does, it leaves out finished experiments unless --force.
 */
import { selectExperiments } from '../graph/selectors.ts';
import { foldEvents } from '../ledger/fold.ts';
import type { Status } from '../ledger/events.ts';
import { TERMINAL } from '../ledger/lifecycle.ts';
import { withLedgerRead } from '../ledger/open.ts';
import { readEvents } from '../ledger/store.ts';
import type { Project } from '../workspace/project.ts';
import { inPool, startChildBuild, type ChildBuildFlags, type ChildBuildResult } from './child-build.ts';

export interface JobsOutcome {
  readonly results: readonly ChildBuildResult[];
  /** finished experiments left out (no --force), with their status */
  readonly leftOut: readonly { readonly experimentId: string; readonly status: Status }[];
}

export async function buildInJobs(
  project: Project,
  select: string,
  jobs: number,
  flags: ChildBuildFlags,
  onLine: (experimentId: string, line: string) => void,
): Promise<JobsOutcome> {
  const ids = selectExperiments(project.config.experiments.map((e) => e.id), select);
  const statuses = await withLedgerRead(project.config, async (db) => {
    if (!db) return new Map<string, Status>();
    const events = await readEvents(db, ids);
    return new Map(ids.map((id) => [id, foldEvents(id, events.get(id) ?? []).status]));
  });
  const finished = (id: string): boolean => {
    const status = statuses.get(id);
    return status !== undefined && TERMINAL.includes(status);
  };
  // a single selected experiment goes to its child as it is: that build says why it will not rebuild it
  const leftOut = flags.force || ids.length === 1 ? [] : ids.filter(finished).map((experimentId) => ({ experimentId, status: statuses.get(experimentId)! }));
  const run = ids.filter((id) => !leftOut.some((l) => l.experimentId === id));
  const results = await inPool(run, jobs, (id) => startChildBuild(project.config, id, { ...flags, sideBySide: Math.min(jobs, run.length) }, (line) => onLine(id, line)).done);
  return { results, leftOut };
}
