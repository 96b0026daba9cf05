/**
 * Sufficient statistics of every placebo replicate in one pass over the users: the
 * partition's user_metrics rows are staged once in temp tables (the warehouse stays
 * read-only; temp tables live in memory), then one scan per metric and arm of the users
 * with a non-zero value × the K replicates sums each (replicate, arm), and one scan of
 * every user × K counts them. No build, no write to the experiment's partitions.
 */
import type { Db, SqlParams } from '../engine/connection.ts';
import type { OverallAggregate } from '../analyses/model-rows.ts';
import { overallRow } from '../analyses/lib/aggregates.ts';
import {
  assembleSql, countsSql, createSumsSql, longRowsSql, metricSumsSql, profileSql, readProfile, rowsSql, totalsSql, usersSql,
  type Assignment, type MetricRef, type QuantityProfile,
} from './sql.ts';

export interface StagedRows {
  readonly metrics: readonly MetricRef[];
  readonly variants: readonly string[];
  /** per metric (config order), what each quantity needs */
  readonly profiles: readonly (readonly QuantityProfile[])[];
  /** users in the partition */
  readonly users: number;
}

/** Stage the rows of `userMetrics` (a parenthesised query over the partition, bound by `params`). */
export async function stageRows(db: Db, userMetrics: string, params: SqlParams, metrics: readonly MetricRef[], variants: readonly string[]): Promise<StagedRows> {
  await db.run(longRowsSql(userMetrics, metrics, variants), params);
  await db.run(usersSql);
  await db.run(rowsSql);
  await db.run('drop table placebo_long');
  await db.run(totalsSql);
  const rows = await db.all(profileSql);
  const byIndex = new Map(rows.map((r) => [Number(r['metric_index']), r]));
  const [users] = await db.all<{ n: number }>('select count(*) as n from placebo_users');
  return { metrics, variants, profiles: metrics.map((_, i) => readProfile(byIndex.get(i))), users: Number(users?.n ?? 0) };
}


/** The aggregates of each replicate (1…K for placebo, 0 for the observed split), in the shape of metric_aggregates_overall. */
export async function replicateAggregates(db: Db, staged: StagedRows, a: Assignment, skip: number): Promise<Map<number, OverallAggregate[]>> {
  await db.run(countsSql(a, staged.variants.length, skip));
  await db.run(createSumsSql);
  for (const [i, profile] of staged.profiles.entries()) {
    if (profile.some((q) => q.present)) await db.run(metricSumsSql(i, profile, a, staged.variants.length, skip));
  }
  const rows = await db.all(assembleSql(a, staged.metrics, staged.variants, skip));
  const out = new Map<number, OverallAggregate[]>();
  for (const r of rows) {
    const k = Number(r['replicate']);
    const list = out.get(k) ?? [];
    list.push(overallRow(r));
    out.set(k, list);
  }
  return out;
}
