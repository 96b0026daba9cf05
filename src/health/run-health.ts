/**
 * `xp health`: for every running experiment (the ledger's status) or those selected,
 * read its partition read-only and assess it. Returns data; src/cli/commands/health.ts
 * prints it and turns `critical` into exit code 1.
 */
import { XpError } from '../core/errors.ts';
import type { Db } from '../engine/connection.ts';
import { selectExperiments } from '../graph/selectors.ts';
import { foldEvents, type ExperimentState } from '../ledger/fold.ts';
import { withLedgerRead } from '../ledger/open.ts';
import { hasLedger, readEvents } from '../ledger/store.ts';
import type { Project } from '../workspace/project.ts';
import { assessExperiment } from './assess.ts';
import { readHealthInputs } from './read-health.ts';
import { overlapsIn, ROUTINE_MAX_PAIRS } from '../portfolio/run-overlaps.ts';
import { withPortfolioChecks } from './portfolio-checks.ts';
import { defaultHealthThresholds, type ExperimentHealth, type HealthReport, type HealthThresholds } from './types.ts';

export interface HealthOptions {
  /** experiment ids, comma list, glob or all; default: every running experiment */
  readonly select?: string;
  /** YYYY-MM-DD (00:00 UTC) or an ISO timestamp; default: now */
  readonly asOf?: string;
  readonly now?: () => Date;
  readonly thresholds?: HealthThresholds;
}

export function parseAsOf(asOf: string | undefined, now: () => Date): Date {
  if (asOf === undefined) return now();
  const iso = /^\d{4}-\d{2}-\d{2}$/.test(asOf) ? `${asOf}T00:00:00Z` : asOf;
  const t = Date.parse(iso);
  if (Number.isNaN(t)) {
    throw new XpError('USAGE', `--as-of ${JSON.stringify(asOf)} is not a date`, { hint: 'pass a date such as 2026-01-19 (00:00 UTC) or a time such as 2026-01-19T12:00:00Z' });
  }
  return new Date(t);
}

async function ledgerStates(db: Db | undefined): Promise<Map<string, ExperimentState>> {
  if (!db || !(await hasLedger(db))) return new Map();
  const events = await readEvents(db);
  return new Map([...events].map(([id, list]) => [id, foldEvents(id, list)]));
}

export async function healthCommand(project: Project, opts: HealthOptions = {}): Promise<HealthReport> {
  const asOf = parseAsOf(opts.asOf, opts.now ?? (() => new Date()));
  const t = opts.thresholds ?? defaultHealthThresholds;
  const configured = project.config.experiments.map((e) => e.id);
  return withLedgerRead(project.config, async (db) => {
    const states = await ledgerStates(db);
    const known = [...new Set([...configured, ...states.keys()])].sort();
    const ids = opts.select ? selectExperiments(known, opts.select) : known.filter((id) => states.get(id)?.status === 'running');
    const notes: string[] = [];
    const experiments: ExperimentHealth[] = [];
    for (const id of ids) {
      const experiment = project.config.experiments.find((e) => e.id === id);
      if (!experiment) { notes.push(`${id} is in the ledger but not in the config: not assessed`); continue; }
      const state = states.get(id);
      const meta = { name: experiment.name, lifecycle: state?.registered ? state.status : 'not in the ledger' };
      const inputs = db
        ? await readHealthInputs(db, experiment, asOf)
        : { experiment, asOf, built: false, overall: [], daily: [], metricDays: [], newestEvent: null, multiVariant: null, exposures: null };
      experiments.push(assessExperiment(inputs, meta, t));
    }
    // the portfolio checks: overlaps of every configured experiment, so a pair with an unselected one still counts
    if (db && experiments.length) {
      const overlaps = await overlapsIn(db, project.config, { select: experiments.map((e) => e.experimentId).join(','), maxPairs: ROUTINE_MAX_PAIRS });
      notes.push(...overlaps.notes.filter((n) => n.includes('more than')));
      experiments.splice(0, experiments.length, ...experiments.map((e) => withPortfolioChecks(e, overlaps, t)));
    }
    if (!opts.select && !ids.length) notes.push('no running experiment (`xp experiment start <id>` starts one; --select checks any)');
    return { asOf: asOf.toISOString(), experiments, critical: experiments.some((e) => e.status === 'critical'), note: notes.length ? notes.join('; ') : null };
  });
}
