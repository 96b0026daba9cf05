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

-- quantile metrics (stats/quantile.ts, GrowthBook's quantile test): per arm, the sample
-- quantile x_(ceil(n nu)) of users' values and the order statistics at
-- nu -/+ 1.96 sqrt(nu (1 - nu) / n), whose spread gives the quantile's variance
quantile_levels as (
    select * from (
        values (null::varchar, null::double){{#each metrics}}{{#if (eq type "quantile")}}, ({{literal name}}, {{literal quantile}}::double){{/if}}{{/each}}
    ) as levels (metric, nu)
    where metric is not null
),

quantile_positions as (
    select
        variant,
        metric,
        value,
        rank,
        greatest(1, ceil(users * nu)) as k,
        greatest(1, ceil(users * greatest(nu - 1.959963984540054 * sqrt(nu * (1 - nu) / users), 1e-8))) as k_lower,
        least(users, ceil(users * least(nu + 1.959963984540054 * sqrt(nu * (1 - nu) / users), 0.99999999))) as k_upper
    from (
        select
            user_metrics.variant,
            user_metrics.metric,
            user_metrics.value,
            quantile_levels.nu,
            row_number() over (partition by user_metrics.variant, user_metrics.metric order by user_metrics.value) as rank,
            count(*) over (partition by user_metrics.variant, user_metrics.metric) as users
        from user_metrics
        inner join quantile_levels
            on user_metrics.metric = quantile_levels.metric
    ) as ranked
),

quantiles as (
    select
        variant,
        metric,
        max(value) filter (where rank = k) as quantile_value,
        max(value) filter (where rank = k_lower) as quantile_lower,
        max(value) filter (where rank = k_upper) as quantile_upper
    from quantile_positions
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
        sums.pre_value_floor,
        -- quantile metrics only: the arm's quantile and its order-statistic bounds
        quantiles.quantile_value,
        quantiles.quantile_lower,
        quantiles.quantile_upper
    from grid
    left join sums
        on grid.variant = sums.variant
        and grid.metric = sums.metric
    left join quantiles
        on grid.variant = quantiles.variant
        and grid.metric = quantiles.metric
    order by grid.variant_order, grid.metric_order
)

select * from final
