-- Sufficient statistics per variant and metric, in one fixed long shape: everything the
-- A/B, CUPED, ratio (delta method) and difference-in-differences tests need, so the
-- statistics code never sees a user or an event. Also the caps applied to capped mean
-- metrics (metric_aggregates_daily caps its cumulative values with the same ones).
with user_metrics as (
    select * from {{ref "user_metrics"}}
),

variants as (
    select * from {{ref "experiment_variants"}}
),

-- every configured variant × metric, so an empty arm still gets a row (n = 0)
grid as (
    select
        variants.variant,
        variants.variant_order,
        metric_definitions.metric,
        metric_definitions.metric_type,
        metric_definitions.metric_order
    from variants
    cross join (
        values
{{#each metrics}}
            ({{literal name}}, {{literal type}}, {{@index}}){{#unless @last}},{{/unless}}
{{/each}}
    ) as metric_definitions (metric, metric_type, metric_order)
),

sums as (
    select
        variant,
        metric,
        count(*) as n,
        {{#> exact_sum}}value{{/exact_sum}} as sum,
        {{#> exact_sum}}value * value{{/exact_sum}} as sum_squares,
        {{#> exact_sum}}pre_value{{/exact_sum}} as pre_sum,
        {{#> exact_sum}}pre_value * pre_value{{/exact_sum}} as pre_sum_squares,
        {{#> exact_sum}}value * pre_value{{/exact_sum}} as sum_pre_product,
        {{#> exact_sum}}denominator{{/exact_sum}} as denominator_sum,
        {{#> exact_sum}}denominator * denominator{{/exact_sum}} as denominator_sum_squares,
        {{#> exact_sum}}numerator * denominator{{/exact_sum}} as numerator_denominator_sum,
        -- ratio CUPED (stats/ratio-cuped.ts): the pre-period denominator and the cross sums of
        -- the four per-user parts (Σ numerator · pre_numerator is sum_pre_product)
        {{#> exact_sum}}pre_denominator{{/exact_sum}} as pre_denominator_sum,
        {{#> exact_sum}}pre_denominator * pre_denominator{{/exact_sum}} as pre_denominator_sum_squares,
        {{#> exact_sum}}pre_numerator * pre_denominator{{/exact_sum}} as pre_numerator_denominator_sum,
        {{#> exact_sum}}denominator * pre_denominator{{/exact_sum}} as denominator_pre_denominator_sum,
        {{#> exact_sum}}numerator * pre_denominator{{/exact_sum}} as numerator_pre_denominator_sum,
        {{#> exact_sum}}denominator * pre_numerator{{/exact_sum}} as denominator_pre_numerator_sum,
        max(value_cap) as value_cap,
        max(pre_value_cap) as pre_value_cap,
        max(value_floor) as value_floor,
        max(pre_value_floor) as pre_value_floor
    from user_metrics
    group by variant, metric
),

final as (
    select
        {{partition}} as experiment_id,
        grid.variant,
        grid.metric,
        grid.metric_type,
        coalesce(sums.n, 0) as n,
        coalesce(sums.sum, 0) as sum,
        coalesce(sums.sum_squares, 0) as sum_squares,
        coalesce(sums.pre_sum, 0) as pre_sum,
        coalesce(sums.pre_sum_squares, 0) as pre_sum_squares,
        coalesce(sums.sum_pre_product, 0) as sum_pre_product,
        -- denominators exist for ratio metrics only; null elsewhere
        case when grid.metric_type = 'ratio' then coalesce(sums.denominator_sum, 0) end as denominator_sum,
        case when grid.metric_type = 'ratio' then coalesce(sums.denominator_sum_squares, 0) end as denominator_sum_squares,
        case when grid.metric_type = 'ratio' then coalesce(sums.numerator_denominator_sum, 0) end as numerator_denominator_sum,
        -- the cap each user's value (and pre-period value) was held to; null when not capped
        sums.value_cap,
        sums.pre_value_cap,
        case when grid.metric_type = 'ratio' then coalesce(sums.pre_denominator_sum, 0) end as pre_denominator_sum,
        case when grid.metric_type = 'ratio' then coalesce(sums.pre_denominator_sum_squares, 0) end as pre_denominator_sum_squares,
        case when grid.metric_type = 'ratio' then coalesce(sums.pre_numerator_denominator_sum, 0) end as pre_numerator_denominator_sum,
        case when grid.metric_type = 'ratio' then coalesce(sums.denominator_pre_denominator_sum, 0) end as denominator_pre_denominator_sum,
        case when grid.metric_type = 'ratio' then coalesce(sums.numerator_pre_denominator_sum, 0) end as numerator_pre_denominator_sum,
        case when grid.metric_type = 'ratio' then coalesce(sums.denominator_pre_numerator_sum, 0) end as denominator_pre_numerator_sum,
        -- winsorised mean metrics: the floor user values (and pre-period values) were held to
        sums.value_floor,
        sums.pre_value_floor
    from grid
    left join sums
        on grid.variant = sums.variant
        and grid.metric = sums.metric
    order by grid.variant_order, grid.metric_order
)

select * from final
