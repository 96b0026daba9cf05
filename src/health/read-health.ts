/**
 * The warehouse reads behind `xp health`, one experiment partition at a time, read-only:
 * the SRM counts, the daily aggregates, the newest event before as-of, the exposures
 * before as-of, the multi-variant check. A table that was never built reads as nothing.
 * The daily rows are read whole; as-of.ts keeps the days complete at as-of.
 */
import type { Db, Row } from '../engine/connection.ts';
import { hasBuiltPartitions, MODEL_SCHEMA, tableExists } from '../engine/platform-store.ts';
import type { Experiment } from '../project/types.ts';
import { relation } from '../engine/sql.ts';
import type { HealthInputs } from './inputs.ts';

async function hasColumn(db: Db, table: string, column: string): Promise<boolean> {
  return (await db.all('select 1 from information_schema.columns where table_catalog = current_database() and table_schema = $1 and table_name = $2 and column_name = $3', [MODEL_SCHEMA, table, column])).length > 0;
}

/**
 * Where the newest event can be read: the raw staging tables when they are materialised
 * (they include late events), else the core tables (events inside the window, which is
 * what freshness is judged against).
 */
const EVENT_TIMES = [['stg_exposures', 'exposed_at'], ['stg_outcomes', 'occurred_at'], ['exposures', 'exposed_at'], ['outcomes', 'occurred_at']] as const;

async function rows<T extends Row>(db: Db, table: string, sql: (rel: string) => string, params: readonly (string | number)[]): Promise<T[]> {
  if (!(await tableExists(db, MODEL_SCHEMA, table))) return [];
  return db.all<T>(sql(relation(MODEL_SCHEMA, table)), params);
}

const n = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));

/** as-of as a DuckDB timestamp literal (UTC, no zone), bound as a parameter. */
const timestamp = (d: Date): string => d.toISOString().replace('T', ' ').replace('Z', '');

export async function readHealthInputs(db: Db, experiment: Experiment, asOf: Date): Promise<HealthInputs> {
  const id = experiment.id;
  const at = timestamp(asOf);
  const built = await hasBuiltPartitions(db, id);
  const srm = await rows<{ grain: string; day: string | null; day_index: number | null; variant: string; expected_share: number; observed: number }>(db, 'srm_counts',
    (r) => `select grain, day, day_index, variant, expected_share, observed from ${r} where experiment_id = $1 order by grain, day_index, variant`, [id]);
  const metricDays = await rows<{ metric: string; variant: string; day: string | null; day_index: number; n_daily: number; sum_daily: number; sum_squares_daily: number }>(db, 'metric_aggregates_daily',
    (r) => `select metric, variant, day, day_index, n_daily, sum_daily, sum_squares_daily from ${r} where experiment_id = $1 and period = 'post' order by metric, variant, day_index`, [id]);
  const newest: string[] = [];
  for (const [table, column] of EVENT_TIMES) {
    if (!(await tableExists(db, MODEL_SCHEMA, table)) || !(await hasColumn(db, table, column))) continue;
    const [r] = await rows<{ newest: string | null }>(db, table, (rel) => `select strftime(max(${column}), '%Y-%m-%dT%H:%M:%S.%gZ') as newest from ${rel} where experiment_id = $1 and ${column} < cast($2 as timestamp)`, [id, at]);
    if (r?.newest) newest.push(r.newest);
  }
  const [mv] = await rows<{ observed: number; threshold: number; details: string }>(db, 'dq_results',
    (r) => `select observed, threshold, details from ${r} where experiment_id = $1 and check_name = 'multi_variant_users'`, [id]);
  const [ex] = await rows<{ users: number; repeated: number; later: number }>(db, 'exposures',
    (r) => `select count(*) filter (where exposed_at < cast($2 as timestamp)) as users,
      count(*) filter (where exposed_at < cast($2 as timestamp) and exposure_rows > 1) as repeated,
      count(*) filter (where exposed_at >= cast($2 as timestamp)) as later
      from ${r} where experiment_id = $1`, [id, at]);
  return {
    experiment,
    asOf,
    built,
    overall: srm.filter((r) => r.grain === 'overall').map((r) => ({ variant: r.variant, expectedShare: n(r.expected_share), observed: n(r.observed) })),
    daily: srm.filter((r) => r.grain === 'daily').map((r) => ({ variant: r.variant, expectedShare: n(r.expected_share), observed: n(r.observed), dayIndex: n(r.day_index), day: r.day })),
    metricDays: metricDays.map((r) => ({ metric: r.metric, variant: r.variant, dayIndex: n(r.day_index), day: r.day, n: n(r.n_daily), sum: n(r.sum_daily), sumSquares: n(r.sum_squares_daily) })),
    newestEvent: newest.sort().at(-1) ?? null,
    multiVariant: mv ? { observed: n(mv.observed), threshold: n(mv.threshold), details: mv.details } : null,
    exposures: ex ? { users: n(ex.users), repeated: n(ex.repeated), ...(n(ex.later) > 0 ? { asOfNarrowed: true } : {}) } : null,
  };
}
