-- The analysis population: one row per user with a key, at the user's first exposure.
-- Exact duplicates and repeat exposures collapse into that row; users served more than
-- one variant cannot be attributed to an arm and are left out (dq_results counts them).
with exposures as (
    select * from {{ref "stg_exposures"}}
),

variants as (
    select * from {{ref "experiment_variants"}}
),

-- rows that can belong to the experiment: a key, a configured variant, inside the window
valid_exposures as (
    select
        user_id,
        variant,
        exposed_at
    from exposures
    where user_id is not null
        and variant in (select variant from variants)
        and exposed_at >= {{> window_start}}
        and exposed_at < {{> window_end}}
),

-- min(variant) = max(variant) exactly when the user saw a single variant
users as (
    select
        user_id,
        min(variant) as variant,
        max(variant) as last_variant,
        min(exposed_at) as exposed_at,
        count(*) as exposure_rows
    from valid_exposures
    group by user_id
),

final as (
    select
        {{partition}} as experiment_id,
        user_id,
        variant,
        exposed_at,
        cast(exposed_at as date) as exposure_day,
        {{> day_index column="exposed_at"}} as day_index,
        exposure_rows
    from users
    where variant = last_variant
)

select * from final
