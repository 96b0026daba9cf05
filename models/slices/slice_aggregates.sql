-- The sufficient statistics of metric_aggregates_overall, per dimension level
-- (slices/user_dimensions): n, sums and sums of squares per level, variant and metric,
-- for the slices plugin. Post-period only: slices are for understanding, never decisions.
-- Summed from user_metrics_wide (one row per user and level, every metric side by side),
-- so the users × metrics × levels rows are never formed; an experiment without
-- dimensions has no slices, and reads no users at all.
with wide as (
    select * from {{ref "user_metrics_wide"}}
),

dims as (
    select * from {{ref "user_dimensions"}}
){{#if dimensions.length}},

-- exact_sum: the same bits on every run (a plain double sum is order-dependent)
by_level as (
    select
        dims.dimension,
        dims.level,
        wide.variant,
        count(*) as n
{{#each metrics}}
        , {{#> exact_sum whole=whole.value}}wide.m{{@index}}_value{{/exact_sum}} as m{{@index}}_sum
        , {{#> exact_sum whole=whole.value}}wide.m{{@index}}_value * wide.m{{@index}}_value{{/exact_sum}} as m{{@index}}_sum_squares
{{#if (eq type "ratio")}}
        , {{#> exact_sum whole=whole.denominator}}wide.m{{@index}}_denominator{{/exact_sum}} as m{{@index}}_denominator_sum
        , {{#> exact_sum whole=whole.denominator}}wide.m{{@index}}_denominator * wide.m{{@index}}_denominator{{/exact_sum}} as m{{@index}}_denominator_sum_squares
        , {{#> exact_sum whole=(and whole.value whole.denominator)}}wide.m{{@index}}_numerator * wide.m{{@index}}_denominator{{/exact_sum}} as m{{@index}}_numerator_denominator_sum
{{/if}}
{{/each}}
    from wide
    join dims using (user_id)
    group by dims.dimension, dims.level, wide.variant
),

-- wide to long: one row per level, variant and metric
metric_rows as (
    select
        dimension,
        level,
        variant,
        n,
        unnest([
{{#each metrics}}
            {
                metric: {{literal name}},
                metric_type: {{literal type}},
                sum: m{{@index}}_sum,
                sum_squares: m{{@index}}_sum_squares,
{{#if (eq type "ratio")}}
                denominator_sum: m{{@index}}_denominator_sum,
                denominator_sum_squares: m{{@index}}_denominator_sum_squares,
                numerator_denominator_sum: m{{@index}}_numerator_denominator_sum
{{else}}
                denominator_sum: null::double,
                denominator_sum_squares: null::double,
                numerator_denominator_sum: null::double
{{/if}}
            }{{#unless @last}},{{/unless}}
{{/each}}
        ], recursive := true)
    from by_level
)

select
    {{partition}} as experiment_id,
    dimension,
    level,
    variant,
    metric,
    metric_type,
    n,
    sum,
    sum_squares,
    denominator_sum,
    denominator_sum_squares,
    numerator_denominator_sum
from metric_rows
{{else}}

select
    {{partition}} as experiment_id,
    dimension,
    level,
    null::varchar as variant,
    null::varchar as metric,
    null::varchar as metric_type,
    0::bigint as n,
    null::double as sum,
    null::double as sum_squares,
    null::double as denominator_sum,
    null::double as denominator_sum_squares,
    null::double as numerator_denominator_sum
from dims
where false
{{/if}}
