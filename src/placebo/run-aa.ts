/**
 * `xp aa`: placebo (A/A) calibration of an experiment on its own data. The exposed users
 * are re-randomised K times (assignment.ts), each split's sufficient statistics come from
 * one read-only pass over the partition (sufficient-stats.ts), and the built-in analyses
 * and decision rules judge every split (decision-input.ts). With no effect by
 * construction, each metric's false-positive rate should be alpha and its z ~ N(0, 1).
 */
import { existsSync } from 'node:fs';
import { XpError } from '../core/errors.ts';
import { warehousePath } from '../core/paths.ts';
import { ephemeralRelations } from '../data-tests/ephemeral.ts';
import type { Db } from '../engine/connection.ts';
import { openWarehouse } from '../state/open.ts';
import { hasBuiltPartitions, tableExists, MODEL_SCHEMA } from '../engine/platform-store.ts';
import { metricPlans } from '../analyses/lib/settings.ts';
import type { OverallAggregate } from '../analyses/model-rows.ts';
import type { Experiment } from '../project/types.ts';
import type { Project } from '../workspace/project.ts';
import { PARTITION_PARAM } from '../template/sql-env.ts';
import { armBounds, largestArm, placeboArms, type PlaceboArm } from './assignment.ts';
import { analyseReplicate } from './decision-input.ts';
import { QUANTITIES } from './sql.ts';
import { replicateAggregates, stageRows } from './sufficient-stats.ts';
import { summarise, type Calibration } from './summarise.ts';

export const DEFAULT_REPLICATES = 200;
const MAX_REPLICATES = 100_000;
const USER_METRICS = 'user_metrics';

/** How a user's placebo arm is drawn, as the report states it. */
export const ASSIGNMENT_RULE = 'arm of user u in replicate k = hash(xor(hash(user_id), hash(k))) / 2^64 against the cumulative shares, k = 1…K';

export interface AaOptions {
  readonly experimentId: string;
  readonly replicates: number;
}

export interface AaResult extends Calibration {
  readonly experiment_id: string;
  readonly replicates: number;
  readonly users: number;
  readonly alpha: number;
  readonly arms: readonly PlaceboArm[];
  readonly assignment: string;
  /** every rate inside its tolerance */
  readonly ok: boolean;
  /** metrics left out: quantile metrics, whose statistics the replicates do not have */
  readonly not_calibrated?: readonly string[];
}

function experimentOf(project: Project, id: string): Experiment {
  const exp = project.config.experiments.find((e) => e.id === id);
  if (exp) return exp;
  const ids = project.config.experiments.map((e) => e.id);
  throw new XpError('EXPERIMENT_UNKNOWN', `unknown experiment ${JSON.stringify(id)}`, {
    location: /^[A-Za-z0-9_.-]+$/.test(id) ? { experiment: id } : {},
    hint: `configured experiments: ${ids.join(', ') || '(none)'}`,
  });
}

const notBuilt = (id: string, why: string): XpError =>
  new XpError('USAGE', `experiment ${id} is not built: ${why}`, { location: { experiment: id }, hint: `build it first: xp build --select ${id}` });

async function storedAggregates(db: Db, id: string): Promise<Map<string, Record<string, unknown>>> {
  if (!(await hasBuiltPartitions(db, id)) || !(await tableExists(db, MODEL_SCHEMA, 'metric_aggregates_overall'))) {
    throw notBuilt(id, 'the warehouse holds none of its partitions');
  }
  const rows = await db.all(`select * from ${MODEL_SCHEMA}.metric_aggregates_overall where experiment_id = $${PARTITION_PARAM}`, { [PARTITION_PARAM]: id });
  if (!rows.length) throw notBuilt(id, 'metric_aggregates_overall has no rows for it');
  return new Map(rows.map((r) => [`${String(r['metric'])}\u0000${String(r['variant'])}`, r]));
}

/**
 * The observed split must reproduce the stored aggregates bit for bit: otherwise the
 * models or the config changed since the build, and the placebo would calibrate another
 * analysis than the one the experiment's results came from.
 */
function checkObserved(id: string, observed: readonly OverallAggregate[], stored: ReadonlyMap<string, Record<string, unknown>>): void {
  for (const o of observed) {
    const s = stored.get(`${o.metric}\u0000${o.variant}`);
    const column = s ? ['n', ...QUANTITIES.map((q) => q.column)].find((c) => !Object.is(Number(s[c] ?? Number.NaN), Number(o[c as keyof OverallAggregate] ?? Number.NaN))) : 'row';
    if (column !== undefined) {
      throw new XpError('USAGE', `the stored build of ${id} does not match its current models and config (metric_aggregates_overall ${o.metric} × ${o.variant}: ${column} differs)`, {
        location: { experiment: id, model: 'metric_aggregates_overall' },
        hint: `build it first: xp build --select ${id}`,
      });
    }
  }
}

export async function aaCommand(project: Project, opts: AaOptions): Promise<AaResult> {
  const exp = experimentOf(project, opts.experimentId);
  const k = opts.replicates;
  if (!(Number.isInteger(k) && k >= 2 && k <= MAX_REPLICATES)) {
    throw new XpError('USAGE', `--k ${k}: expected a whole number of replicates from 2 to ${MAX_REPLICATES}`, { hint: `the default is ${DEFAULT_REPLICATES}` });
  }
  if (!project.dag.nodes.has(USER_METRICS)) {
    throw new XpError('USAGE', `xp aa reads the per-user values of the model ${USER_METRICS}, which this project does not have`, { hint: 'add models/metrics/user_metrics.sql (the shipped project has one)' });
  }
  const file = warehousePath(project.config);
  if (!existsSync(file)) throw notBuilt(exp.id, `no warehouse at ${file}`);
  const allPlans = metricPlans(exp, project.config.metrics);
  // quantile metrics have no per-replicate sufficient statistics (their order statistics are
  // computed by the model over the real arms only): staged with the others, not calibrated
  const plans = allPlans.filter((p) => p.type !== 'quantile');
  const arms = placeboArms(exp);
  const skip = largestArm(arms);
  const relations = ephemeralRelations(project);
  const db = await openWarehouse(project.config, { readOnly: true }); // with the config's state (src/state)
  let placebo: Map<number, OverallAggregate[]>;
  let users: number;
  try {
    const stored = await storedAggregates(db, exp.id);
    const rel = await relations.relation(USER_METRICS, exp);
    if (!('relation' in rel)) throw notBuilt(exp.id, rel.skip);
    const staged = await stageRows(db, rel.relation, { [PARTITION_PARAM]: exp.id }, allPlans.map((p) => ({ name: p.name, type: p.type })), arms.map((a) => a.variant));
    users = staged.users;
    checkObserved(exp.id, (await replicateAggregates(db, staged, { kind: 'observed' }, skip)).get(0) ?? [], stored);
    placebo = await replicateAggregates(db, staged, { kind: 'placebo', replicates: k, bounds: armBounds(arms.map((a) => a.share)) }, skip);
  } finally {
    db.close();
    await relations.close();
  }
  const shares = arms.map((a) => a.share);
  const outcomes = [...placebo.keys()].sort((a, b) => a - b).map((r) => analyseReplicate(exp, plans, shares, placebo.get(r)!));
  const calibration = summarise(plans, outcomes, exp.alpha);
  return {
    experiment_id: exp.id, replicates: k, users, alpha: exp.alpha, arms, assignment: ASSIGNMENT_RULE,
    ...calibration, ok: calibration.failures.length === 0,
    not_calibrated: allPlans.filter((p) => p.type === 'quantile').map((p) => p.name),
  };
}
