-- One row per data-quality check of the experiment's raw data. Each check compares an
-- observed value with a threshold from the project vars. A breach fails the check
-- (severity 'error') when it undermines the comparison itself: lost keys, unknown or
-- mixed variants, too few users. It warns (severity 'warn') when the damage is bounded
-- and visible: duplicate rows (exposures collapse them; outcome sums include them) and
-- rows outside the window (left out). A metric whose event never occurs fails for the
-- primary metric and warns for the others. Rows of another experiment in this
-- experiment's raw folder are left out by staging and fail raw_foreign_experiment_rows:
-- a misfiled log must be investigated, not absorbed.
with exposures as (
    select * from {{ref "stg_exposures"}}
),

outcomes as (
    select * from {{ref "stg_outcomes"}}
),

analysed_exposures as (
    select * from {{ref "exposures"}}
),

variants as (
    select * from {{ref "experiment_variants"}}
),

foreign_rows as (
    select * from {{ref "stg_foreign_rows"}}
),

-- one scan of the raw exposure rows. Duplicates are rows minus distinct rows, counted on
-- a 64-bit hash of the whole row: at 10^8 rows the expected number of colliding pairs is
-- below 3·10^-4, far under any threshold, and it is much cheaper than grouping the rows
exposure_stats as (
    select
        count(*) as n_rows,
        count(*) - count(distinct hash(user_id, variant, exposed_at)) as n_duplicates,
        count(*) filter (where user_id is null) as n_missing_key,
        count(*) filter (where variant not in (select variant from variants)) as n_unknown_variant,
        count(*) filter (
            where exposed_at < {{> window_start}} or exposed_at >= {{> window_end}}
        ) as n_outside_window
    from exposures
),

-- users served more than one configured variant: core/exposures cannot attribute them
exposure_users as (
    select
        count(*) as n_users,
        count(*) filter (where first_variant <> last_variant) as n_multi_variant
    from (
        select
            user_id,
            min(variant) as first_variant,
            max(variant) as last_variant
        from exposures
        where user_id is not null
            and variant in (select variant from variants)
        group by user_id
    ) as per_user
),

-- one scan of the raw outcome rows, grouped by event: a duplicate row repeats its event,
-- so the duplicates of all rows are the sum of each event's (counted as for exposures),
-- and the metric event counts below read the same few rows instead of a second scan
outcome_events as (
    select
        event,
        count(*) as n_rows,
        count(*) - count(distinct hash(user_id, event, value, occurred_at)) as n_duplicates,
        count(*) filter (where user_id is null) as n_missing_key,
        -- late, or early beyond the pre period: the pipeline, not the users, put them there
        count(*) filter (
            where occurred_at < {{> pre_period_start}} or occurred_at >= {{> window_end}}
        ) as n_outside_window
    from outcomes
    group by event
),

outcome_stats as (
    select
        cast(coalesce(sum(n_rows), 0) as bigint) as n_rows,
        cast(coalesce(sum(n_duplicates), 0) as bigint) as n_duplicates,
        cast(coalesce(sum(n_missing_key), 0) as bigint) as n_missing_key,
        cast(coalesce(sum(n_outside_window), 0) as bigint) as n_outside_window
    from outcome_events
),

analysed as (
    select count(*) as n_users from analysed_exposures
),

-- raw rows labelled with another experiment (or none), which staging left out
foreign_stats as (
    select
        coalesce(sum(n_rows), 0) as n_rows,
        coalesce(sum(n_rows) filter (where raw_table = 'exposures'), 0) as n_exposures,
        coalesce(sum(n_rows) filter (where raw_table = 'outcomes'), 0) as n_outcomes,
        coalesce(string_agg(distinct coalesce(experiment_id, 'NULL'), ', ' order by coalesce(experiment_id, 'NULL')), 'none') as ids_seen
    from foreign_rows
),

-- how often each metric's event occurs, and which events occur at all: a metric on an
-- event that never happens (a typo such as page_vew) would read as an all-zero metric
event_counts as (
    select
        {{#each metrics}}cast(coalesce(sum(n_rows) filter (where event = {{#if (eq type "ratio")}}{{literal numerator.event}}{{else}}{{literal event}}{{/if}}), 0) as bigint) as m{{@index}}_events,
        {{/each}}coalesce(string_agg(event, ', ' order by event), 'none') as events_seen
    from outcome_events
),

metric_events as (
    {{#each metrics}}
    select
        {{literal name}} as metric, {{@index}} as metric_order,
        {{#if (eq type "ratio")}}{{literal numerator.event}}{{else}}{{literal event}}{{/if}} as event,
        m{{@index}}_events as n_events, events_seen
    from event_counts
    {{#unless @last}}union all{{/unless}}
    {{/each}}
),

checks as (
    select
        'exposures_missing_user_id' as check_name, 1 as check_order, 'error' as severity, 'max' as bound,
        n_missing_key / greatest(n_rows, 1) as observed,
        cast({{var "dq_max_missing_key_rate"}} as double) as threshold,
        format('{} of {} exposure rows have no user_id', n_missing_key, n_rows) as details
    from exposure_stats
    union all
    select
        'outcomes_missing_user_id', 2, 'error', 'max',
        n_missing_key / greatest(n_rows, 1),
        cast({{var "dq_max_missing_key_rate"}} as double),
        format('{} of {} outcome rows have no user_id', n_missing_key, n_rows)
    from outcome_stats
    union all
    select
        'exposures_duplicate_rows', 3, 'warn', 'max',
        n_duplicates / greatest(n_rows, 1),
        cast({{var "dq_max_duplicate_rate"}} as double),
        format('{} of {} exposure rows repeat an earlier row exactly (collapsed in core.exposures)', n_duplicates, n_rows)
    from exposure_stats
    union all
    select
        'outcomes_duplicate_rows', 4, 'warn', 'max',
        n_duplicates / greatest(n_rows, 1),
        cast({{var "dq_max_duplicate_rate"}} as double),
        format('{} of {} outcome rows repeat an earlier row exactly (kept in core.outcomes: sums count them twice)', n_duplicates, n_rows)
    from outcome_stats
    union all
    select
        'exposures_outside_window', 5, 'warn', 'max',
        n_outside_window / greatest(n_rows, 1),
        cast({{var "dq_max_outside_window_rate"}} as double),
        format('{} of {} exposure rows fall outside the experiment window (left out)', n_outside_window, n_rows)
    from exposure_stats
    union all
    select
        'outcomes_outside_window', 6, 'warn', 'max',
        n_outside_window / greatest(n_rows, 1),
        cast({{var "dq_max_outside_window_rate"}} as double),
        format('{} of {} outcome rows fall before the pre period or after the window end (left out)', n_outside_window, n_rows)
    from outcome_stats
    union all
    select
        'exposures_unknown_variant', 7, 'error', 'max',
        n_unknown_variant / greatest(n_rows, 1),
        cast({{var "dq_max_unknown_variant_rate" 0}} as double),
        format('{} of {} exposure rows name a variant the experiment does not configure', n_unknown_variant, n_rows)
    from exposure_stats
    union all
    select
        'multi_variant_users', 8, 'error', 'max',
        n_multi_variant / greatest(n_users, 1),
        cast({{var "dq_max_multi_variant_rate"}} as double),
        format('{} of {} users were served more than one variant (left out of the analysis)', n_multi_variant, n_users)
    from exposure_users
    union all
    select
        'exposures_min_count', 9, 'error', 'min',
        n_users,
        cast({{var "dq_min_exposures"}} as double),
        format('{} users in the analysis', n_users)
    from analysed
    union all
    -- the primary metric without events cannot be judged (error); another metric warns
    select
        'metric_events_' || metric, 10 + metric_order,
        case when metric = {{literal experiment.primary_metric}} then 'error' else 'warn' end, 'min',
        n_events,
        1,
        format('metric {} reads event "{}", which occurs {} times in the outcomes; events seen: {}', metric, event, n_events, events_seen)
    from metric_events
    union all
    -- after every other check (their order stays): rows filed under the wrong experiment
    select
        'raw_foreign_experiment_rows', 10000, 'error', 'max',
        n_rows,
        cast({{var "dq_max_foreign_rows" 0}} as double),
        format('{} raw rows in this experiment''s folder are labelled with another experiment_id ({} exposure rows, {} outcome rows; ids seen: {}), left out of the analysis', n_rows, n_exposures, n_outcomes, ids_seen)
    from foreign_stats
),

final as (
    select
        {{partition}} as experiment_id,
        check_name,
        case
            when (bound = 'max' and observed <= threshold) or (bound = 'min' and observed >= threshold) then 'pass'
            when severity = 'error' then 'fail'
            else 'warn'
        end as status,
        severity,
        cast(observed as double) as observed,
        cast(threshold as double) as threshold,
        details
            || case when bound = 'max' then '; threshold: at most ' else '; threshold: at least ' end
            || case when threshold = round(threshold) then cast(cast(threshold as bigint) as varchar) else cast(threshold as varchar) end
            as details
    from checks
    order by check_order
)

select * from final
