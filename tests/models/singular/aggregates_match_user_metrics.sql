/*--- description: "the sufficient statistics add up the per-user rows: n and sum per variant and metric" ---*/
with aggregates as (select * from {{ref "metric_aggregates_overall"}}),
users as (
    select variant, metric, count(*) as n, sum(value) as sum
    from {{ref "user_metrics"}}
    group by variant, metric
)
select aggregates.variant, aggregates.metric, aggregates.n, users.n as user_rows, aggregates.sum, users.sum as user_sum
from aggregates
left join users using (variant, metric)
where aggregates.n <> coalesce(users.n, 0)
    or abs(aggregates.sum - coalesce(users.sum, 0)) > 1e-9 * greatest(1, abs(aggregates.sum))
