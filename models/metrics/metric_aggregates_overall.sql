-- Sufficient statistics per variant and metric, in one fixed long shape: everything the
-- A/B, CUPED, ratio (delta method) and difference-in-differences tests need, so the
-- statistics code never sees a user or an event. Also the caps applied to capped mean
-- metrics (metric_aggregates_daily caps its cumulative values with the same ones).
with wide as (
    select * from {{ref "user_metrics_wide"}}
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

-- one pass over the users: every metric's sums side by side, per variant (wide, so the
-- users × metrics rows are never formed; exact_sum gives the same bits on every run)
wide_sums as (
    select
        variant,
        count(*) as n
{{#each metrics}}
        , {{#> exact_sum whole=whole.value}}m{{@index}}_value{{/exact_sum}} as m{{@index}}_sum
        , {{#> exact_sum whole=whole.value}}m{{@index}}_value * m{{@index}}_value{{/exact_sum}} as m{{@index}}_sum_squares
        , {{#> exact_sum whole=whole.value}}m{{@index}}_pre_value{{/exact_sum}} as m{{@index}}_pre_sum
        , {{#> exact_sum whole=whole.value}}m{{@index}}_pre_value * m{{@index}}_pre_value{{/exact_sum}} as m{{@index}}_pre_sum_squares
        , {{#> exact_sum whole=whole.value}}m{{@index}}_value * m{{@index}}_pre_value{{/exact_sum}} as m{{@index}}_sum_pre_product
{{#if (eq type "ratio")}}
        , {{#> exact_sum whole=whole.denominator}}m{{@index}}_denominator{{/exact_sum}} as m{{@index}}_denominator_sum
        , {{#> exact_sum whole=whole.denominator}}m{{@index}}_denominator * m{{@index}}_denominator{{/exact_sum}} as m{{@index}}_denominator_sum_squares
        , {{#> exact_sum whole=(and whole.value whole.denominator)}}m{{@index}}_numerator * m{{@index}}_denominator{{/exact_sum}} as m{{@index}}_numerator_denominator_sum
        -- ratio CUPED (stats/ratio-cuped.ts): the pre-period denominator and the cross sums of
        -- the four per-user parts (Σ numerator · pre_numerator is sum_pre_product)
        , {{#> exact_sum whole=whole.denominator}}m{{@index}}_pre_denominator{{/exact_sum}} as m{{@index}}_pre_denominator_sum
        , {{#> exact_sum whole=whole.denominator}}m{{@index}}_pre_denominator * m{{@index}}_pre_denominator{{/exact_sum}} as m{{@index}}_pre_denominator_sum_squares
        , {{#> exact_sum whole=(and whole.value whole.denominator)}}m{{@index}}_pre_numerator * m{{@index}}_pre_denominator{{/exact_sum}} as m{{@index}}_pre_numerator_denominator_sum
        , {{#> exact_sum whole=whole.denominator}}m{{@index}}_denominator * m{{@index}}_pre_denominator{{/exact_sum}} as m{{@index}}_denominator_pre_denominator_sum
        , {{#> exact_sum whole=(and whole.value whole.denominator)}}m{{@index}}_numerator * m{{@index}}_pre_denominator{{/exact_sum}} as m{{@index}}_numerator_pre_denominator_sum
        , {{#> exact_sum whole=(and whole.value whole.denominator)}}m{{@index}}_denominator * m{{@index}}_pre_numerator{{/exact_sum}} as m{{@index}}_denominator_pre_numerator_sum
{{/if}}
{{#if (and (eq type "mean") winsor)}}
        , max(m{{@index}}_value_floor) as m{{@index}}_value_floor
        , max(m{{@index}}_pre_value_floor) as m{{@index}}_pre_value_floor
{{/if}}
{{#if (and (eq type "mean") (or cap_quantile winsor))}}
        , max(m{{@index}}_value_cap) as m{{@index}}_value_cap
        , max(m{{@index}}_pre_value_cap) as m{{@index}}_pre_value_cap
{{/if}}
{{/each}}
    from wide
    group by variant
),

-- wide to long: one row per variant and metric (a few rows)
sums as (
    select
        variant,
        unnest([
{{#each metrics}}
            {
                metric: {{literal name}},
                n: n,
                sum: m{{@index}}_sum,
                sum_squares: m{{@index}}_sum_squares,
                pre_sum: m{{@index}}_pre_sum,
                pre_sum_squares: m{{@index}}_pre_sum_squares,
                sum_pre_product: m{{@index}}_sum_pre_product,
{{#if (eq type "ratio")}}
                denominator_sum: m{{@index}}_denominator_sum,
                denominator_sum_squares: m{{@index}}_denominator_sum_squares,
                numerator_denominator_sum: m{{@index}}_numerator_denominator_sum,
                pre_denominator_sum: m{{@index}}_pre_denominator_sum,
                pre_denominator_sum_squares: m{{@index}}_pre_denominator_sum_squares,
                pre_numerator_denominator_sum: m{{@index}}_pre_numerator_denominator_sum,
                denominator_pre_denominator_sum: m{{@index}}_denominator_pre_denominator_sum,
                numerator_pre_denominator_sum: m{{@index}}_numerator_pre_denominator_sum,
                denominator_pre_numerator_sum: m{{@index}}_denominator_pre_numerator_sum,
{{else}}
                denominator_sum: null::double,
                denominator_sum_squares: null::double,
                numerator_denominator_sum: null::double,
                pre_denominator_sum: null::double,
                pre_denominator_sum_squares: null::double,
                pre_numerator_denominator_sum: null::double,
                denominator_pre_denominator_sum: null::double,
                numerator_pre_denominator_sum: null::double,
                denominator_pre_numerator_sum: null::double,
{{/if}}
{{> metric_bound_fields idx=@index}}
            }{{#unless @last}},{{/unless}}
{{/each}}
        ], recursive := true)
    from wide_sums
),

-- quantile metrics (stats/quantile.ts, GrowthBook's quantile test): per arm, the sample
-- quantile x_(ceil(n nu)) of users' values and the order statistics at
-- nu -/+ 1.96 sqrt(nu (1 - nu) / n), whose spread gives the quantile's variance
-- (each quantile metric's user values with its level; no rows without quantile metrics)
quantile_values as (
{{#each metrics}}
{{#if (eq type "quantile")}}
    select variant, {{literal name}} as metric, m{{@index}}_value as value, {{literal quantile}}::double as nu from wide
    union all
{{/if}}
{{/each}}
    select null::varchar as variant, null::varchar as metric, null::double as value, null::double as nu where false
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
            variant,
            metric,
            value,
            nu,
            row_number() over (partition by variant, metric order by value) as rank,
            count(*) over (partition by variant, metric) as users
        from quantile_values
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
