-- Daily sufficient statistics per variant and metric, one row per day of the pre period
-- and of the window so far:
--   *_daily  the day's per-user values: pre days over every exposed user of the arm,
--            post days over the users exposed by the end of that day;
--   *_cum    post days only: each user's value accumulated from exposure to the end of
--            that day (the data of a sequential look taken that day). The last day's
--            cumulative statistics equal metric_aggregates_overall.
-- Per-user values follow user_metrics: 0/1 for binomial metrics, capped at the same
-- pooled cap for capped mean metrics, the numerator (and denominator) for ratio metrics.
with exposures as (
    select * from {{ref "exposures"}}
),

outcomes as (
    select * from {{ref "outcomes"}}
),

overall as (
    select * from {{ref "metric_aggregates_overall"}}
),

variants as (
    select * from {{ref "experiment_variants"}}
),

-- the caps user values were held to in metric_aggregates_overall (capped mean metrics)
caps as (
    select
        1 as one
{{#each metrics}}
{{#if (and (eq type "mean") winsor)}}
        , (select max(value_cap) from overall where metric = {{literal name}}) as m{{@index}}_cum_cap
        , (select max(value_floor) from overall where metric = {{literal name}}) as m{{@index}}_cum_floor
{{else if (and (eq type "mean") cap_quantile)}}
        , (select max(value_cap) from overall where metric = {{literal name}}) as m{{@index}}_cum_cap
{{/if}}
{{/each}}
),

-- one pass over the events the metrics read: every metric's raw sum per user and day.
-- A day before the start is a pre-period day; from the start on, events are post-period
-- (core/outcomes keeps no event between the start and the user's exposure)
user_days as materialized (
    select
        user_id,
        any_value(variant) as variant,
        day_index
{{#each metrics}}
        {{> metric_user_columns idx=@index suffix=""}}
{{/each}}
    from outcomes
    where event in ({{> metric_events}})
    group by user_id, day_index
),

-- post days: running totals per user (one sort serves every metric); the raw value to
-- date after the day and before it
post_running as (
    select
        variant,
        day_index
{{#each metrics}}
        , m{{@index}} as m{{@index}}_day
        , sum(m{{@index}}) over to_date as m{{@index}}_after
        , sum(m{{@index}}) over to_date - m{{@index}} as m{{@index}}_before
{{#if (eq type "ratio")}}
        , m{{@index}}_den as m{{@index}}_day_den
        , sum(m{{@index}}_den) over to_date as m{{@index}}_after_den
        , sum(m{{@index}}_den) over to_date - m{{@index}}_den as m{{@index}}_before_den
{{/if}}
{{/each}}
    from user_days
    where day_index >= 0
    window to_date as (partition by user_id order by day_index rows between unbounded preceding and current row)
),

-- per user and day: the metric value that day, and the change the day makes to the
-- user's cumulative value c and to c² (summing changes avoids a users × days grid)
post_values as (
    select
        variant,
        day_index
{{#each metrics}}
        , {{> metric_user_value idx=@index suffix="_day" caps="caps" cap_suffix="_cum"}} as m{{@index}}_v
        , {{> metric_user_value idx=@index suffix="_after" caps="caps" cap_suffix="_cum"}} as m{{@index}}_c
        , {{> metric_user_value idx=@index suffix="_before" caps="caps" cap_suffix="_cum"}} as m{{@index}}_c_before
{{#if (eq type "ratio")}}
        , m{{@index}}_day_den::double as m{{@index}}_d
        , m{{@index}}_after_den::double as m{{@index}}_dc
        , m{{@index}}_before_den::double as m{{@index}}_dc_before
{{/if}}
{{/each}}
    from post_running
    cross join caps
),

post_by_day as (
    select
        variant,
        day_index
{{#each metrics}}
        , {{#> exact_sum whole=whole.value}}m{{@index}}_v{{/exact_sum}} as m{{@index}}_sum_daily
        , {{#> exact_sum whole=whole.value}}m{{@index}}_v * m{{@index}}_v{{/exact_sum}} as m{{@index}}_sum_squares_daily
        , {{#> exact_sum whole=whole.value}}m{{@index}}_c - m{{@index}}_c_before{{/exact_sum}} as m{{@index}}_sum_change
        , {{#> exact_sum whole=whole.value}}m{{@index}}_c * m{{@index}}_c - m{{@index}}_c_before * m{{@index}}_c_before{{/exact_sum}} as m{{@index}}_sum_squares_change
{{#if (eq type "ratio")}}
        , {{#> exact_sum whole=whole.denominator}}m{{@index}}_d{{/exact_sum}} as m{{@index}}_den_sum_daily
        , {{#> exact_sum whole=whole.denominator}}m{{@index}}_d * m{{@index}}_d{{/exact_sum}} as m{{@index}}_den_sum_squares_daily
        , {{#> exact_sum whole=(and whole.value whole.denominator)}}m{{@index}}_v * m{{@index}}_d{{/exact_sum}} as m{{@index}}_num_den_sum_daily
        , {{#> exact_sum whole=whole.denominator}}m{{@index}}_dc - m{{@index}}_dc_before{{/exact_sum}} as m{{@index}}_den_sum_change
        , {{#> exact_sum whole=whole.denominator}}m{{@index}}_dc * m{{@index}}_dc - m{{@index}}_dc_before * m{{@index}}_dc_before{{/exact_sum}} as m{{@index}}_den_sum_squares_change
        , {{#> exact_sum whole=(and whole.value whole.denominator)}}m{{@index}}_c * m{{@index}}_dc - m{{@index}}_c_before * m{{@index}}_dc_before{{/exact_sum}} as m{{@index}}_num_den_sum_change
{{/if}}
{{/each}}
    from post_values
    group by variant, day_index
),

pre_values as (
    select
        variant,
        day_index
{{#each metrics}}
        , {{> metric_user_value idx=@index suffix="" caps="caps" cap_suffix="_cum"}} as m{{@index}}_v
{{#if (eq type "ratio")}}
        , m{{@index}}_den::double as m{{@index}}_d
{{/if}}
{{/each}}
    from user_days
    cross join caps
    where day_index < 0
),

pre_by_day as (
    select
        variant,
        day_index
{{#each metrics}}
        , {{#> exact_sum whole=whole.value}}m{{@index}}_v{{/exact_sum}} as m{{@index}}_sum_daily
        , {{#> exact_sum whole=whole.value}}m{{@index}}_v * m{{@index}}_v{{/exact_sum}} as m{{@index}}_sum_squares_daily
{{#if (eq type "ratio")}}
        , {{#> exact_sum whole=whole.denominator}}m{{@index}}_d{{/exact_sum}} as m{{@index}}_den_sum_daily
        , {{#> exact_sum whole=whole.denominator}}m{{@index}}_d * m{{@index}}_d{{/exact_sum}} as m{{@index}}_den_sum_squares_daily
        , {{#> exact_sum whole=(and whole.value whole.denominator)}}m{{@index}}_v * m{{@index}}_d{{/exact_sum}} as m{{@index}}_num_den_sum_daily
{{/if}}
{{/each}}
    from pre_values
    group by variant, day_index
),

arm_sizes as (
    select
        variant,
        count(*) as n_arm
    from exposures
    group by variant
),

new_exposures as (
    select
        variant,
        day_index,
        count(*) as n_new
    from exposures
    group by variant, day_index
),

-- the window so far: days after the last exposure or event have no data yet
horizon as (
    select
        greatest(
            coalesce((select max(day_index) from new_exposures), -1),
            coalesce((select max(day_index) from post_by_day), -1)
        ) as last_day
),

days as (
    select unnest(range(-{{literal experiment.pre_period_days}}, last_day + 1)) as day_index
    from horizon
),

grid as (
    select
        variants.variant,
        variants.variant_order,
        days.day_index,
        case when days.day_index < 0 then 'pre' else 'post' end as period
    from variants
    cross join days
),

-- one row per variant and day, every metric side by side; running sums over the days
-- turn the per-day changes into cumulative statistics
by_day as (
    select
        grid.variant,
        grid.variant_order,
        grid.day_index,
        grid.period,
        coalesce(arm_sizes.n_arm, 0) as n_arm,
        sum(coalesce(new_exposures.n_new, 0)) over variant_to_date as n_exposed
{{#each metrics}}
        , coalesce(post_by_day.m{{@index}}_sum_daily, pre_by_day.m{{@index}}_sum_daily, 0) as m{{@index}}_sum_daily
        , coalesce(post_by_day.m{{@index}}_sum_squares_daily, pre_by_day.m{{@index}}_sum_squares_daily, 0) as m{{@index}}_sum_squares_daily
        , sum(coalesce(post_by_day.m{{@index}}_sum_change, 0)) over variant_to_date as m{{@index}}_sum_cum
        , sum(coalesce(post_by_day.m{{@index}}_sum_squares_change, 0)) over variant_to_date as m{{@index}}_sum_squares_cum
{{#if (eq type "ratio")}}
        , coalesce(post_by_day.m{{@index}}_den_sum_daily, pre_by_day.m{{@index}}_den_sum_daily, 0) as m{{@index}}_den_sum_daily
        , coalesce(post_by_day.m{{@index}}_den_sum_squares_daily, pre_by_day.m{{@index}}_den_sum_squares_daily, 0) as m{{@index}}_den_sum_squares_daily
        , coalesce(post_by_day.m{{@index}}_num_den_sum_daily, pre_by_day.m{{@index}}_num_den_sum_daily, 0) as m{{@index}}_num_den_sum_daily
        , sum(coalesce(post_by_day.m{{@index}}_den_sum_change, 0)) over variant_to_date as m{{@index}}_den_sum_cum
        , sum(coalesce(post_by_day.m{{@index}}_den_sum_squares_change, 0)) over variant_to_date as m{{@index}}_den_sum_squares_cum
        , sum(coalesce(post_by_day.m{{@index}}_num_den_sum_change, 0)) over variant_to_date as m{{@index}}_num_den_sum_cum
{{/if}}
{{/each}}
    from grid
    left join arm_sizes
        on grid.variant = arm_sizes.variant
    left join new_exposures
        on grid.variant = new_exposures.variant
        and grid.day_index = new_exposures.day_index
    left join pre_by_day
        on grid.variant = pre_by_day.variant
        and grid.day_index = pre_by_day.day_index
    left join post_by_day
        on grid.variant = post_by_day.variant
        and grid.day_index = post_by_day.day_index
    window variant_to_date as (partition by grid.variant order by grid.day_index rows between unbounded preceding and current row)
),

-- wide to long: one struct per metric
metric_rows as (
    select
        variant,
        variant_order,
        day_index,
        period,
        unnest([
{{#each metrics}}
            {
                metric: {{literal name}},
                metric_type: {{literal type}},
                metric_order: {{@index}},
                n_daily: case when period = 'pre' then n_arm else n_exposed end,
                sum_daily: m{{@index}}_sum_daily::double,
                sum_squares_daily: m{{@index}}_sum_squares_daily::double,
                n_cum: case when period = 'post' then n_exposed end,
                sum_cum: case when period = 'post' then m{{@index}}_sum_cum end::double,
                sum_squares_cum: case when period = 'post' then m{{@index}}_sum_squares_cum end::double,
{{#if (eq type "ratio")}}
                denominator_sum_daily: m{{@index}}_den_sum_daily::double,
                denominator_sum_squares_daily: m{{@index}}_den_sum_squares_daily::double,
                numerator_denominator_sum_daily: m{{@index}}_num_den_sum_daily::double,
                denominator_sum_cum: case when period = 'post' then m{{@index}}_den_sum_cum end::double,
                denominator_sum_squares_cum: case when period = 'post' then m{{@index}}_den_sum_squares_cum end::double,
                numerator_denominator_sum_cum: case when period = 'post' then m{{@index}}_num_den_sum_cum end::double
{{else}}
                denominator_sum_daily: null::double,
                denominator_sum_squares_daily: null::double,
                numerator_denominator_sum_daily: null::double,
                denominator_sum_cum: null::double,
                denominator_sum_squares_cum: null::double,
                numerator_denominator_sum_cum: null::double
{{/if}}
            }{{#unless @last}},{{/unless}}
{{/each}}
        ], recursive := true)
    from by_day
),

final as (
    select
        {{partition}} as experiment_id,
        variant,
        metric,
        metric_type,
        {{> day_of_index column="day_index"}} as day,
        cast(day_index as integer) as day_index,
        period,
        cast(n_daily as bigint) as n_daily,
        sum_daily,
        sum_squares_daily,
        cast(n_cum as bigint) as n_cum,
        sum_cum,
        sum_squares_cum,
        denominator_sum_daily,
        denominator_sum_squares_daily,
        numerator_denominator_sum_daily,
        denominator_sum_cum,
        denominator_sum_squares_cum,
        numerator_denominator_sum_cum
    from metric_rows
    order by variant_order, metric_order, day_index
)

select * from final
