/**
 * The warehouse reads behind `xp overlaps`, read-only: for a pair of experiments, the
 * users in both (core exposures joined on user_id, arm × arm) and, per primary metric,
 * the sufficient statistics of each arm × arm cell over those users. A cross-experiment
 * read by nature: it reads the two experiments' partitions of exp.exposures and
 * exp.outcomes, nothing else.
 *
 * A user's metric value is the one the experiment's own analysis uses
 * (macros/metric_user_value.sql): post-period events from the exposure to the window end;
 * binomial = at least one event; mean = the summed value (or count), capped at the
 * metric's cap_quantile pooled over all of the experiment's users. Ratio metrics have no
 * per-user value the two-way test can use (they need the delta method): reported as
 * unsupported.
 */
import type { Db } from '../engine/connection.ts';
import { MODEL_SCHEMA, tableExists } from '../engine/platform-store.ts';
import { quoteIdent, relation } from '../engine/sql.ts';
import type { MetricConfig } from '../project/config-schema.ts';
import type { Experiment } from '../project/types.ts';
import type { CellStats } from '../stats/index.ts';
import type { MetricCells, PairData } from './types.ts';

const EXPOSURES = relation(MODEL_SCHEMA, 'exposures');
const OUTCOMES = relation(MODEL_SCHEMA, 'outcomes');

const arms = (e: Experiment): string[] => [e.control, ...e.treatments];

/** Per-user post-period value of `metric` for every analysed user of experiment $1, as `per_user(user_id, v)`. */
function perUserSql(metric: MetricConfig): string | null {
  if (metric.type === 'ratio') return null;
  const raw = metric.type === 'mean' && metric.value !== undefined ? `sum(${quoteIdent(metric.value)})` : 'count(*)';
  const value = metric.type === 'binomial' ? 'least(coalesce(sums.v, 0), 1)' : 'coalesce(sums.v, 0)';
  const capped = metric.type === 'mean' && metric.cap_quantile !== undefined
    ? `select user_id, least(v, (select quantile_cont(v, ${Number(metric.cap_quantile)}) from uncapped)) as v from uncapped`
    : 'select user_id, v from uncapped';
  return `users as (select user_id from ${EXPOSURES} where experiment_id = $1),
sums as (
  select user_id, ${raw}::double as v from ${OUTCOMES}
  where experiment_id = $1 and period = 'post' and event = $3
  group by user_id
),
uncapped as (select users.user_id, ${value}::double as v from users left join sums on users.user_id = sums.user_id),
per_user as (${capped})`;
}

/** Experiment $1's metric over the users also in $2, by arm of `rowsOf` × arm of the other. */
async function metricCells(db: Db, owner: Experiment, other: Experiment, rowsAreOwner: boolean, metricName: string, metric: MetricConfig, armsA: readonly string[], armsB: readonly string[]): Promise<MetricCells> {
  const perUser = perUserSql(metric);
  if (perUser === null) return { experimentId: owner.id, metric: metricName, cells: { unsupported: 'a ratio metric (the two-way test needs per-user values; ratio metrics need the delta method)' } };
  const event = metric.type === 'ratio' ? '' : metric.event;
  const rows = await db.all<{ va: string; vb: string; n: number; s: number; ss: number }>(
    `with ${perUser}
select ${rowsAreOwner ? 'x.variant as va, y.variant as vb' : 'y.variant as va, x.variant as vb'},
  count(*)::bigint as n, sum(p.v)::double as s, sum(p.v * p.v)::double as ss
from ${EXPOSURES} x
join ${EXPOSURES} y on y.experiment_id = $2 and y.user_id = x.user_id
join per_user p on p.user_id = x.user_id
where x.experiment_id = $1
group by all`,
    [owner.id, other.id, event],
  );
  const cells: CellStats[][] = armsA.map((va) => armsB.map((vb) => {
    const r = rows.find((x) => x.va === va && x.vb === vb);
    return { n: Number(r?.n ?? 0), sum: Number(r?.s ?? 0), sumSquares: Number(r?.ss ?? 0) };
  }));
  return { experimentId: owner.id, metric: metricName, cells };
}

/** Whether the warehouse has the tables the overlap reads need. */
export async function canReadOverlaps(db: Db): Promise<boolean> {
  return (await tableExists(db, MODEL_SCHEMA, 'exposures')) && (await tableExists(db, MODEL_SCHEMA, 'outcomes'));
}

/** Analysed users per experiment (core exposures), for every experiment with a partition. */
export async function exposureCounts(db: Db): Promise<Map<string, number>> {
  const rows = await db.all<{ experiment_id: string; n: number }>(`select experiment_id, count(*)::bigint as n from ${EXPOSURES} group by experiment_id`);
  return new Map(rows.map((r) => [r.experiment_id, Number(r.n)]));
}

export async function readPair(db: Db, a: Experiment, b: Experiment, metrics: Readonly<Record<string, MetricConfig>>, counts: ReadonlyMap<string, number>): Promise<PairData> {
  const armsA = arms(a);
  const armsB = arms(b);
  const rows = await db.all<{ va: string; vb: string; n: number }>(
    `select x.variant as va, y.variant as vb, count(*)::bigint as n
from ${EXPOSURES} x join ${EXPOSURES} y on y.experiment_id = $2 and y.user_id = x.user_id
where x.experiment_id = $1 group by all`,
    [a.id, b.id],
  );
  const table = armsA.map((va) => armsB.map((vb) => Number(rows.find((r) => r.va === va && r.vb === vb)?.n ?? 0)));
  const both = table.flat().reduce((s, x) => s + x, 0);
  const out: MetricCells[] = [];
  if (both > 0) {
    // each experiment's primary in its own partition: even one metric over one window is two
    // readings when the experiments' outcome logs differ (each partition holds its own events)
    out.push(await metricCells(db, a, b, true, a.primary_metric, metrics[a.primary_metric]!, armsA, armsB));
    out.push(await metricCells(db, b, a, false, b.primary_metric, metrics[b.primary_metric]!, armsA, armsB));
  }
  return { a: a.id, b: b.id, usersA: counts.get(a.id) ?? 0, usersB: counts.get(b.id) ?? 0, armsA, armsB, table, metrics: out };
}
