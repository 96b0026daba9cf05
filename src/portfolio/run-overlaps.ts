/**
 * `xp overlaps`: the pairs of experiments whose windows overlap, read from the warehouse
 * read-only (it never waits for a build: src/ledger/open.ts), assessed with a correction
 * over the pairs. `overlapsIn` is the same over an open warehouse, for `xp health`, the
 * memo and the dashboard.
 */
import type { Db } from '../engine/connection.ts';
import { selectExperiments } from '../graph/selectors.ts';
import { withLedgerRead } from '../ledger/open.ts';
import type { ProjectConfig } from '../project/types.ts';
import type { Project } from '../workspace/project.ts';
import { assessOverlaps } from './assess-overlaps.ts';
import { overlappingPairs } from './pairs.ts';
import { canReadOverlaps, exposureCounts, readPair } from './read-pair.ts';
import { defaultOverlapSettings, type OverlapReport, type OverlapSettings, type PairData } from './types.ts';

export interface OverlapOptions {
  /** experiment ids, comma list, glob or all: the pairs with at least one of them (default all) */
  readonly select?: string;
  readonly settings?: OverlapSettings;
  /**
   * read no pair when more than this many overlap (xp health and the dashboard, which run
   * often: a portfolio of hundreds of concurrent experiments is `xp overlaps`' job)
   */
  readonly maxPairs?: number;
}

/** What `xp health` and the portfolio page read at most on each run. */
export const ROUTINE_MAX_PAIRS = 200;

export async function overlapsIn(db: Db | undefined, config: Pick<ProjectConfig, 'experiments' | 'metrics'>, opts: OverlapOptions = {}): Promise<OverlapReport> {
  const settings = opts.settings ?? defaultOverlapSettings;
  const ids = config.experiments.map((e) => e.id);
  const chosen = new Set(opts.select ? selectExperiments(ids, opts.select) : ids);
  const candidates = overlappingPairs(config.experiments).filter((p) => chosen.has(p.a.id) || chosen.has(p.b.id));
  if (opts.maxPairs !== undefined && candidates.length > opts.maxPairs) {
    return assessOverlaps([], [], settings, [`${candidates.length} pairs of experiments overlap, more than ${opts.maxPairs}: their overlaps are not read here; run \`xp overlaps\``]);
  }
  if (!db || !(await canReadOverlaps(db))) {
    return assessOverlaps([], [], settings, candidates.length ? ['nothing is built yet: `xp build` the experiments, then run `xp overlaps` again'] : []);
  }
  const counts = await exposureCounts(db);
  const unbuilt = new Set<string>();
  const data: PairData[] = [];
  for (const p of candidates) {
    const missing = [p.a.id, p.b.id].filter((id) => !counts.has(id));
    if (missing.length) { missing.forEach((id) => unbuilt.add(id)); continue; }
    data.push(await readPair(db, p.a, p.b, config.metrics, counts));
  }
  const notes = unbuilt.size ? [`not built, so left out of the pairs: ${[...unbuilt].sort().join(', ')}`] : [];
  return assessOverlaps(candidates, data, settings, notes);
}

export async function overlapsCommand(project: Project, opts: OverlapOptions = {}): Promise<OverlapReport> {
  return withLedgerRead(project.config, (db) => overlapsIn(db, project.config, opts));
}

/** The flagged pairs an experiment is in: what its memo and `xp health` show. */
export function findingsFor(report: OverlapReport, experimentId: string): string[] {
  return report.pairs.filter((p) => p.flags.length && (p.a === experimentId || p.b === experimentId)).flatMap((p) => p.findings);
}
