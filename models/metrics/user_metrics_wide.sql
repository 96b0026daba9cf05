/*--- materialized: ephemeral ---*/
-- One row per exposed user, every metric side by side (columns m<idx>_..., named by the
-- metric's position so no config string becomes an identifier): the user's value over the
-- post period (from the exposure to the window end) and over the pre period, the covariate
-- CUPED and difference-in-differences use; ratio metrics keep numerator and denominator
-- apart; capped mean metrics carry the pooled caps they were held to. Users without
-- events count as 0. The metric SQL is generated from the metric definitions
-- (macros/metric_*.sql).
-- Ephemeral and wide: metric_aggregates_overall sums it per variant in one pass over the
-- users (users × metrics rows are never formed there); user_metrics is its long form.
-- Grouped and capped per experiment_id, so it is also right when read outside a
-- partition (ad-hoc queries over every experiment).
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

final as (
    select
        users.experiment_id,
        users.user_id,
        users.variant
{{#each metrics}}
        , {{> metric_user_value idx=@index suffix="_post" caps="caps"}} as m{{@index}}_value
        , {{> metric_user_value idx=@index suffix="_pre" caps="caps"}} as m{{@index}}_pre_value
{{#if (eq type "ratio")}}
        , coalesce(m{{@index}}_post, 0)::double as m{{@index}}_numerator
        , coalesce(m{{@index}}_post_den, 0)::double as m{{@index}}_denominator
        , coalesce(m{{@index}}_pre, 0)::double as m{{@index}}_pre_numerator
        , coalesce(m{{@index}}_pre_den, 0)::double as m{{@index}}_pre_denominator
{{/if}}
{{#if (and (eq type "mean") winsor)}}
        , caps.m{{@index}}_post_floor::double as m{{@index}}_value_floor
        , caps.m{{@index}}_pre_floor::double as m{{@index}}_pre_value_floor
{{/if}}
{{#if (and (eq type "mean") (or cap_quantile winsor))}}
        , caps.m{{@index}}_post_cap::double as m{{@index}}_value_cap
        , caps.m{{@index}}_pre_cap::double as m{{@index}}_pre_value_cap
{{/if}}
{{/each}}
    from users
    inner join caps
        on users.experiment_id = caps.experiment_id
)

select * from final
