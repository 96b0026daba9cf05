-- Observed against expected users per variant, for the sample-ratio-mismatch test:
-- grain 'overall' (day null) over the whole window so far, and grain 'daily' for each day
-- with new exposures counted that day (observed) and up to the end of that day (*_cum).
-- Expected counts split the observed total by the configured shares.
with exposures as (
    select * from {{ref "exposures"}}
),

variants as (
    select * from {{ref "experiment_variants"}}
),

shares as (
    select
        variant,
        variant_order,
        -- configured shares may sum to 1 ± 0.001: normalise so expected counts add up
        expected_share / sum(expected_share) over () as expected_share
    from variants
),

new_exposures as (
    select
        variant,
        day_index,
        count(*) as observed
    from exposures
    group by variant, day_index
),

days as (
    select unnest(range(0, coalesce(max(day_index), -1) + 1)) as day_index
    from new_exposures
),

daily_counts as (
    select
        shares.variant,
        shares.variant_order,
        shares.expected_share,
        days.day_index,
        coalesce(new_exposures.observed, 0) as observed
    from shares
    cross join days
    left join new_exposures
        on shares.variant = new_exposures.variant
        and days.day_index = new_exposures.day_index
),

daily as (
    select
        'daily' as grain,
        day_index,
        variant,
        variant_order,
        expected_share,
        observed,
        sum(observed) over same_day as total,
        sum(observed) over variant_to_date as observed_cum,
        sum(observed) over days_to_date as total_cum
    from daily_counts
    window
        same_day as (partition by day_index),
        variant_to_date as (partition by variant order by day_index rows between unbounded preceding and current row),
        days_to_date as (order by day_index range between unbounded preceding and current row)
),

overall as (
    select
        'overall' as grain,
        cast(null as bigint) as day_index,
        shares.variant,
        shares.variant_order,
        shares.expected_share,
        coalesce(totals.observed, 0) as observed,
        sum(coalesce(totals.observed, 0)) over () as total
    from shares
    left join (
        select variant, sum(observed) as observed from new_exposures group by variant
    ) as totals
        on shares.variant = totals.variant
),

combined as (
    select
        grain, day_index, variant, variant_order, expected_share, observed, total,
        observed as observed_cum,
        total as total_cum
    from overall
    union all
    select
        grain, day_index, variant, variant_order, expected_share, observed, total,
        observed_cum,
        total_cum
    from daily
),

final as (
    select
        {{partition}} as experiment_id,
        grain,
        {{> day_of_index column="day_index"}} as day,
        cast(day_index as integer) as day_index,
        variant,
        expected_share,
        cast(observed as bigint) as observed,
        cast(total as bigint) as total,
        total * expected_share as expected,
        case when total > 0 then observed / total end as observed_share,
        cast(observed_cum as bigint) as observed_cum,
        cast(total_cum as bigint) as total_cum,
        total_cum * expected_share as expected_cum
    from combined
    order by grain desc, day_index nulls first, variant_order
)

select * from final
