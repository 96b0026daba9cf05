-- The experiment's outcome events: events of exposed users that its metrics read,
-- attributed to a period: 'post' from the user's own exposure to the end of the window,
-- 'pre' in the pre period before the start (the covariate for CUPED and the baseline for
-- pre-trends). Events between the start and the user's exposure, after the window or
-- before the pre period belong to neither and are left out. Events no metric reads
-- (page views, say) stay in the raw store: a metric on them changes this model's SQL, so
-- the partition is rebuilt with them. Exact duplicate rows are kept as logged:
-- dq_results measures them (removing them would cost a pass over every event).
with outcomes as (
    select * from {{ref "stg_outcomes"}}
),

exposures as (
    select * from {{ref "exposures"}}
),

-- filter before the join: only keyed metric events inside [pre-period start, window end)
-- can count
candidate_events as (
    select
        user_id,
        event,
        value,
        occurred_at
    from outcomes
    where user_id is not null
        and event in ({{> metric_events}})
        and occurred_at >= {{> pre_period_start}}
        and occurred_at < {{> window_end}}
),

attributed as (
    select
        candidate_events.user_id,
        exposures.variant,
        candidate_events.event,
        candidate_events.value,
        candidate_events.occurred_at,
        case when candidate_events.occurred_at >= exposures.exposed_at then 'post' else 'pre' end as period
    from candidate_events
    inner join exposures
        on candidate_events.user_id = exposures.user_id
    where candidate_events.occurred_at >= exposures.exposed_at
        or candidate_events.occurred_at < {{> window_start}}
),

final as (
    select
        {{partition}} as experiment_id,
        user_id,
        variant,
        event,
        value,
        occurred_at,
        period,
        {{> day_index column="occurred_at"}} as day_index
    from attributed
)

select * from final
