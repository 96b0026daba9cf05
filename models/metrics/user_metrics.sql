/*--- materialized: ephemeral ---*/
-- One row per exposed user and metric: the user's value over the post period (from the
-- exposure to the window end) and the same metric over the pre period, the covariate
-- CUPED and difference-in-differences use. Users without events count as 0. The metric
-- SQL is generated from the metric definitions (macros/metric_*.sql).
-- Ephemeral: inlined into metric_aggregates_overall, which aggregates it at once, so the
-- users × metrics rows are never written. Grouped and capped per experiment_id, so it
-- is also right when read outside a partition (ad-hoc queries over every experiment).
with exposures as (
    select * from {{ref "exposures"}}
),

outcomes as (
    select * from {{ref "outcomes"}}
),

-- one pass over the events the metrics read: every metric's raw per-user sums, both
-- periods side by side
user_event_sums as (
    select
        experiment_id,
        user_id
{{#each metrics}}
        {{> metric_user_columns idx=@index suffix="_post" period="post"}}
        {{> metric_user_columns idx=@index suffix="_pre" period="pre"}}
{{/each}}
    from outcomes
    where event in ({{> metric_events}})
    group by experiment_id, user_id
),

-- every exposed user, with or without events
users as (
    select
        exposures.experiment_id,
        exposures.user_id,
        exposures.variant,
        user_event_sums.* exclude (experiment_id, user_id)
    from exposures
    left join user_event_sums
        on exposures.experiment_id = user_event_sums.experiment_id
        and exposures.user_id = user_event_sums.user_id
),

-- capping thresholds, pooled across arms so capping cannot favour one: one per period
-- (winsorised metrics: a floor and a cap, quantiles or values, quantiles among nonzero
-- users with cap_nonzero; macros/winsor_bound.sql)
caps as (
    select
        experiment_id
{{#each metrics}}
{{#if (and (eq type "mean") winsor)}}
        , {{> winsor_bound idx=@index suffix="_post" quantile=winsor.upper_quantile value=winsor.upper_value nonzero=winsor.nonzero}} as m{{@index}}_post_cap
        , {{> winsor_bound idx=@index suffix="_pre" quantile=winsor.upper_quantile value=winsor.upper_value nonzero=winsor.nonzero}} as m{{@index}}_pre_cap
        , {{> winsor_bound idx=@index suffix="_post" quantile=winsor.lower_quantile value=winsor.lower_value nonzero=winsor.nonzero}} as m{{@index}}_post_floor
        , {{> winsor_bound idx=@index suffix="_pre" quantile=winsor.lower_quantile value=winsor.lower_value nonzero=winsor.nonzero}} as m{{@index}}_pre_floor
{{else if (and (eq type "mean") cap_quantile)}}
        , quantile_cont(coalesce(m{{@index}}_post, 0), {{literal cap_quantile}}) as m{{@index}}_post_cap
        , quantile_cont(coalesce(m{{@index}}_pre, 0), {{literal cap_quantile}}) as m{{@index}}_pre_cap
{{/if}}
{{/each}}
    from users
    group by experiment_id
),

-- wide to long in one pass: one struct per metric, unnested into rows
user_metric_rows as (
    select
        users.experiment_id,
        users.user_id,
        users.variant,
        unnest([
{{#each metrics}}
            {
                metric: {{literal name}},
                metric_type: {{literal type}},
                value: {{> metric_user_value idx=@index suffix="_post" caps="caps"}},
                pre_value: {{> metric_user_value idx=@index suffix="_pre" caps="caps"}},
{{#if (eq type "ratio")}}
                numerator: coalesce(m{{@index}}_post, 0)::double,
                denominator: coalesce(m{{@index}}_post_den, 0)::double,
                pre_numerator: coalesce(m{{@index}}_pre, 0)::double,
                pre_denominator: coalesce(m{{@index}}_pre_den, 0)::double,
{{else}}
                numerator: null::double,
                denominator: null::double,
                pre_numerator: null::double,
                pre_denominator: null::double,
{{/if}}
{{#if (and (eq type "mean") winsor)}}
                value_floor: caps.m{{@index}}_post_floor::double,
                pre_value_floor: caps.m{{@index}}_pre_floor::double,
{{else}}
                value_floor: null::double,
                pre_value_floor: null::double,
{{/if}}
{{#if (and (eq type "mean") (or cap_quantile winsor))}}
                value_cap: caps.m{{@index}}_post_cap::double,
                pre_value_cap: caps.m{{@index}}_pre_cap::double
{{else}}
                value_cap: null::double,
                pre_value_cap: null::double
{{/if}}
            }{{#unless @last}},{{/unless}}
{{/each}}
        ], recursive := true)
    from users
    inner join caps
        on users.experiment_id = caps.experiment_id
),

final as (
    select
        experiment_id,
        user_id,
        variant,
        metric,
        metric_type,
        value,
        pre_value,
        numerator,
        denominator,
        pre_numerator,
        pre_denominator,
        value_cap,
        pre_value_cap,
        value_floor,
        pre_value_floor
    from user_metric_rows
)

select * from final
