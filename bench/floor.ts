/**
 * The floor: one hand-written DuckDB query computing the same per-variant sufficient
 * statistics as models/metrics/metric_aggregates_overall for the bench metrics
 * (conversion, capped revenue, revenue per order, bounce rate) straight from the raw
 * Parquet. The benchmark divides the build's metric stages by this query's time.
 */
import type { Experiment } from '../src/project/types.ts';
import { sqlLiteral } from '../src/engine/sql.ts';

export function floorSql(rawDir: string, e: Experiment): string {
  const start = `cast(${sqlLiteral(e.start)} as timestamp)`;
  const end = `(${start} + to_days(${e.days}))`;
  const preStart = `(${start} - to_days(${e.pre_period_days}))`;
  const variants = sqlLiteral(Object.keys(e.variants));
  const dir = rawDir.replaceAll("'", "''");
  const m = (name: string, value: string, pre: string, num = 'null::double', den = 'null::double') =>
    `{metric: '${name}', value: ${value}, pre_value: ${pre}, numerator: ${num}, denominator: ${den}}`;
  return `
with exposures as (
  select user_id, min(variant) as variant, min(exposed_at) as exposed_at
  from read_parquet('${dir}/exposures/*.parquet')
  where user_id is not null and list_contains(${variants}, variant) and exposed_at >= ${start} and exposed_at < ${end}
  group by user_id
  having min(variant) = max(variant)
),
events as (
  select distinct o.user_id, o.event, o.value, o.occurred_at,
    o.occurred_at >= x.exposed_at as is_post
  from read_parquet('${dir}/outcomes/*.parquet') o
  join exposures x on o.user_id = x.user_id
  where o.occurred_at >= ${preStart} and o.occurred_at < ${end}
    and (o.occurred_at >= x.exposed_at or o.occurred_at < ${start})
),
per_user as (
  select user_id,
    count(*) filter (where event = 'purchase' and is_post) as orders_post,
    count(*) filter (where event = 'purchase' and not is_post) as orders_pre,
    coalesce(sum(value) filter (where event = 'purchase' and is_post), 0) as revenue_post,
    coalesce(sum(value) filter (where event = 'purchase' and not is_post), 0) as revenue_pre,
    count(*) filter (where event = 'bounce' and is_post) as bounces_post,
    count(*) filter (where event = 'bounce' and not is_post) as bounces_pre
  from events group by user_id
),
users as materialized (
  select x.variant,
    coalesce(orders_post, 0)::double as orders_post, coalesce(orders_pre, 0)::double as orders_pre,
    coalesce(revenue_post, 0)::double as revenue_post, coalesce(revenue_pre, 0)::double as revenue_pre,
    coalesce(bounces_post, 0)::double as bounces_post, coalesce(bounces_pre, 0)::double as bounces_pre
  from exposures x left join per_user p on x.user_id = p.user_id
),
caps as (
  select quantile_cont(revenue_post, 0.99) as cap_post, quantile_cont(revenue_pre, 0.99) as cap_pre from users
),
long as (
  select variant, unnest([
    ${m('conversion', 'least(orders_post, 1)', 'least(orders_pre, 1)')},
    ${m('revenue', 'least(revenue_post, cap_post)', 'least(revenue_pre, cap_pre)')},
    ${m('revenue_per_order', 'revenue_post', 'revenue_pre', 'revenue_post', 'orders_post')},
    ${m('bounce_rate', 'least(bounces_post, 1)', 'least(bounces_pre, 1)')}
  ], recursive := true)
  from users cross join caps
)
select variant, metric, count(*) as n, sum(value) as sum, sum(value * value) as sum_squares,
  sum(pre_value) as pre_sum, sum(pre_value * pre_value) as pre_sum_squares, sum(value * pre_value) as sum_pre_product,
  sum(denominator) as denominator_sum, sum(numerator * denominator) as numerator_denominator_sum
from long group by variant, metric order by variant, metric`;
}
