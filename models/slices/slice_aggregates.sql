-- The sufficient statistics of metric_aggregates_overall, per dimension level
-- (slices/user_dimensions): n, sums and sums of squares per level, variant and metric,
-- for the slices plugin. Post-period only: slices are for understanding, never decisions.
with user_metrics as (
    select * from {{ref "user_metrics"}}
),

dims as (
    select * from {{ref "user_dimensions"}}
)

select
    {{partition}} as experiment_id,
    dims.dimension,
    dims.level,
    user_metrics.variant,
    user_metrics.metric,
    any_value(user_metrics.metric_type) as metric_type,
    count(*) as n,
    -- exact_sum: the same bits on every run (a plain double sum is order-dependent)
    {{#> exact_sum}}user_metrics.value{{/exact_sum}} as sum,
    {{#> exact_sum}}user_metrics.value * user_metrics.value{{/exact_sum}} as sum_squares,
    {{#> exact_sum}}user_metrics.denominator{{/exact_sum}} as denominator_sum,
    {{#> exact_sum}}user_metrics.denominator * user_metrics.denominator{{/exact_sum}} as denominator_sum_squares,
    {{#> exact_sum}}user_metrics.numerator * user_metrics.denominator{{/exact_sum}} as numerator_denominator_sum
from user_metrics
join dims using (user_id)
group by all
