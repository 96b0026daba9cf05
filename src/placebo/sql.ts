/**
 * The SQL of the placebo statistics (pure builders; sufficient-stats.ts runs them). The
 * per-user rows are the ephemeral model user_metrics rendered for the partition, so every
 * metric definition (events, capping, pre period) is the pipeline's own; only the arm a
 * user is summed into changes.
 *
 * Exact sums as in macros/exact_sum.sql: each per-user term x is split once into
 * cast(trunc(x) as bigint) and cast((x - trunc(x)) * 1e10 as bigint), the replicates sum
 * the integers (exact, so any order gives the same totals), and the two totals are
 * combined as doubles the way the macro combines them. A placebo arm's statistics are
 * therefore bit for bit what metric_aggregates_overall would hold for that assignment
 * (run-aa.ts checks it on the observed assignment), and the largest arm's are the
 * totals minus the other arms' (exact in integers), so the K-fold pass skips it.
 */
import { sqlLiteral } from '../engine/sql.ts';
import type { MetricType } from '../analyses/model-rows.ts';
import { inArmSql, placeboHashSql } from './assignment.ts';

/** The sums of metric_aggregates_overall, with the per-user term each one adds up. */
export const QUANTITIES = [
  { column: 'sum', term: 'value' },
  { column: 'sum_squares', term: 'value * value' },
  { column: 'pre_sum', term: 'pre_value' },
  { column: 'pre_sum_squares', term: 'pre_value * pre_value' },
  { column: 'sum_pre_product', term: 'value * pre_value' },
  { column: 'denominator_sum', term: 'denominator' },
  { column: 'denominator_sum_squares', term: 'denominator * denominator' },
  { column: 'numerator_denominator_sum', term: 'numerator * denominator' },
] as const;

/** macros/exact_sum.sql's fixed-point scale of the fractional parts. */
const FRACTION_SCALE = '10000000000';

export interface MetricRef {
  readonly name: string;
  readonly type: MetricType;
}

/** How the users are split: K placebo replicates (1…K), or the observed variants (replicate 0). */
export type Assignment =
  | { readonly kind: 'placebo'; readonly replicates: number; readonly bounds: readonly bigint[] }
  | { readonly kind: 'observed' };

/** What the data say about one quantity of one metric (placebo_totals), to skip work that adds 0. */
export interface QuantityProfile {
  /** some user has a non-null term */
  readonly present: boolean;
  /** every term is an integer: the fractional sum is 0 */
  readonly integral: boolean;
  /** an earlier quantity with the same term for every user (x² = x for 0/1 values), or null */
  readonly sameAs: number | null;
}

const t = (j: number): string => `q${j}_t`;
const f = (j: number): string => `q${j}_f`;
const parts = (): string[] => QUANTITIES.flatMap((_, j) => [t(j), f(j)]);

const caseOf = (column: string, values: readonly string[]): string =>
  `case ${column} ${values.map((v, i) => `when ${sqlLiteral(v)} then ${i}`).join(' ')} end`;

/** The partition's user_metrics rows, hashed once per user, with metric and variant as indexes. */
export function longRowsSql(userMetrics: string, metrics: readonly MetricRef[], variants: readonly string[]): string {
  return `create or replace temp table placebo_long as
select
    hash(user_id) as user_hash,
    ${caseOf('variant', variants)} as observed_arm,
    ${caseOf('metric', metrics.map((m) => m.name))} as metric_index,
    value, pre_value, numerator, denominator
from ${userMetrics} as user_metrics`;
}

/** One row per user (user_metrics has one row per user and metric): the counts read these. */
export const usersSql = `create or replace temp table placebo_users as
select user_hash, observed_arm from placebo_long where metric_index = 0`;

/** Rows that add to some sum (a user without events adds only to n), split into exact parts. */
export const rowsSql = `create or replace temp table placebo_rows as
select
    user_hash, observed_arm, metric_index,
    ${QUANTITIES.map((q, j) => `cast(trunc(${q.term}) as bigint) as ${t(j)}, cast(((${q.term}) - trunc(${q.term})) * ${FRACTION_SCALE} as bigint) as ${f(j)}`).join(',\n    ')}
from placebo_long
where value <> 0 or pre_value <> 0 or numerator <> 0 or denominator <> 0`;

/** Totals per metric over every user, and the profile of each quantity. */
export const totalsSql = `create or replace temp table placebo_totals as
select
    metric_index,
    ${parts().map((p) => `sum(${p}) as ${p}`).join(', ')},
    ${QUANTITIES.map((_, j) => `count(${t(j)}) > 0 as q${j}_present, coalesce(bool_and(${f(j)} = 0), true) as q${j}_integral`).join(',\n    ')},
    ${QUANTITIES.flatMap((_, j) => QUANTITIES.slice(0, j).map((__, i) =>
    `coalesce(bool_and(${t(j)} is not distinct from ${t(i)} and ${f(j)} is not distinct from ${f(i)}), true) as q${j}_is_q${i}`)).join(',\n    ')}
from placebo_rows
group by metric_index`;

export const profileSql = `select * exclude (${parts().join(', ')}) from placebo_totals order by metric_index`;

/** The profile of each quantity of one metric, from its placebo_totals row. */
export function readProfile(row: Readonly<Record<string, unknown>> | undefined): QuantityProfile[] {
  const profiles: QuantityProfile[] = [];
  QUANTITIES.forEach((_, j) => {
    const present = row?.[`q${j}_present`] === true;
    const sameAs = present ? QUANTITIES.slice(0, j).findIndex((__, i) => profiles[i]!.present && row?.[`q${j}_is_q${i}`] === true) : -1;
    profiles.push({ present, integral: row?.[`q${j}_integral`] !== false, sameAs: sameAs < 0 ? null : sameAs });
  });
  return profiles;
}

function replicatesOf(a: Assignment): string {
  return a.kind === 'placebo' ? `range(1, ${a.replicates + 1})` : 'range(0, 1)';
}

/**
 * Every (row of `relation`, replicate) with the placebo hash of the pair, or the observed
 * arm, and `columns`. Consumers group by replicate alone and select an arm with
 * `inArm`: one group key is about twice as fast as grouping by (replicate, arm).
 */
function drawn(relation: string, a: Assignment, columns: readonly string[], where = 'true'): string {
  const cols = columns.length ? `, ${columns.join(', ')}` : '';
  const draw = a.kind === 'placebo' ? `${placeboHashSql('user_hash', 'replicates.replicate')} as placebo_hash` : 'observed_arm';
  return `select replicates.replicate, ${draw}${cols}
        from ${relation} cross join ${replicatesOf(a)} as replicates(replicate)
        where ${where}`;
}

/** True for the rows of `drawn` that fall in arm i. */
function inArm(a: Assignment, i: number): string {
  return a.kind === 'placebo' ? inArmSql('placebo_hash', a.bounds, i) : `observed_arm = ${i}`;
}

const armsOf = (a: Assignment, variants: number): number[] => Array.from({ length: a.kind === 'placebo' ? a.bounds.length : variants }, (_, i) => i);

/**
 * Users per replicate and arm: the one pass over every user × replicate; the skipped arm is
 * the rest. (A sum of 0/1 indicators runs faster here than count(*) filter (where …).)
 */
export function countsSql(a: Assignment, variants: number, skip: number): string {
  const others = armsOf(a, variants).filter((i) => i !== skip);
  return `create or replace temp table placebo_counts as
with counted as (
    select replicate, count(*) as n_all, ${others.map((i) => `sum((${inArm(a, i)})::bigint) as n_${i}`).join(', ')}
    from (${drawn('placebo_users', a, [])})
    group by replicate
)
${[...others.map((i) => `select replicate, ${i} as arm, n_${i} as n from counted`),
    `select replicate, ${skip} as arm, n_all - ${others.map((i) => `n_${i}`).join(' - ')} as n from counted`].join('\nunion all\n')}`;
}

export const createSumsSql = `create or replace temp table placebo_sums (
    replicate bigint, arm integer, metric_index integer,
    ${parts().map((p) => `${p} hugeint`).join(', ')}
)`;

/** Integer sums of one metric per replicate and arm, the largest arm (`skip`) left out. */
export function metricSumsSql(metricIndex: number, profile: readonly QuantityProfile[], a: Assignment, variants: number, skip: number): string {
  const needed = new Set<string>();
  const uniform = QUANTITIES.flatMap((_, j) => {
    const q = profile[j]!;
    const source = q.sameAs ?? j;
    if (!q.present) return [`0::hugeint as ${t(j)}`, `0::hugeint as ${f(j)}`];
    needed.add(t(source));
    if (!profile[source]!.integral) needed.add(f(source));
    return [`sum(${t(source)}) as ${t(j)}`, profile[source]!.integral ? `0::hugeint as ${f(j)}` : `sum(${f(source)}) as ${f(j)}`];
  });
  const rows = drawn('placebo_rows', a, [...needed], `metric_index = ${metricIndex}`);
  const perArm = armsOf(a, variants).filter((i) => i !== skip).map((i) => `select replicate, ${i} as arm, ${metricIndex} as metric_index,
    ${uniform.join(', ')}
from (${rows})
where ${inArm(a, i)}
group by replicate`);
  return `insert into placebo_sums\n${perArm.join('\nunion all\n')}`;
}

/**
 * The OverallAggregate rows of every replicate × arm × metric: the skipped arm's sums are
 * the totals minus the other arms', every sum is combined as macros/exact_sum.sql does,
 * and the columns are finished as models/metrics/metric_aggregates_overall.sql finishes them.
 */
export function assembleSql(a: Assignment, metrics: readonly MetricRef[], variants: readonly string[], skip: number): string {
  const values = (rows: readonly string[]): string => rows.map((r) => `(${r})`).join(', ');
  const arms = values(variants.map((v, i) => `${i}, ${sqlLiteral(v)}`));
  const defs = values(metrics.map((m, i) => `${i}, ${sqlLiteral(m.name)}, ${sqlLiteral(m.type)}`));
  const combined = (j: number): string => `(cast(${t(j)} as double) + cast(${f(j)} as double) / ${FRACTION_SCALE})`;
  const finish = QUANTITIES.map((q, j) => (q.column.startsWith('denominator') || q.column === 'numerator_denominator_sum'
    ? `case when metric_type = 'ratio' then coalesce(${combined(j)}, 0) end as ${q.column}`
    : `coalesce(${combined(j)}, 0) as ${q.column}`));
  const part = (p: string): string => `case when grid.arm = ${skip} then coalesce(totals.${p}, 0) - coalesce(others.${p}, 0) else coalesce(sums.${p}, 0) end as ${p}`;
  return `with arms (arm, variant) as (values ${arms}),
metric_definitions (metric_index, metric, metric_type) as (values ${defs}),
grid as (
    select replicates.replicate, arms.arm, arms.variant, metric_definitions.*
    from ${replicatesOf(a)} as replicates(replicate) cross join arms cross join metric_definitions
),
others as (
    select replicate, metric_index, ${parts().map((p) => `sum(${p}) as ${p}`).join(', ')}
    from placebo_sums
    group by replicate, metric_index
),
parts as (
    select grid.replicate, grid.arm, grid.variant, grid.metric_index, grid.metric, grid.metric_type,
        ${parts().map(part).join(',\n        ')}
    from grid
    left join placebo_totals as totals on totals.metric_index = grid.metric_index
    left join others on others.replicate = grid.replicate and others.metric_index = grid.metric_index
    left join placebo_sums as sums on sums.replicate = grid.replicate and sums.arm = grid.arm and sums.metric_index = grid.metric_index
)
select
    parts.replicate, parts.variant, parts.metric, parts.metric_type,
    coalesce(counts.n, 0) as n,
    ${finish.join(',\n    ')}
from parts
left join placebo_counts as counts on counts.replicate = parts.replicate and counts.arm = parts.arm
order by parts.replicate, parts.arm, parts.metric_index`;
}
