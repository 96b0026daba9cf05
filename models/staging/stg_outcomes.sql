/*--- materialized: ephemeral ---*/
-- Raw outcome events of one experiment, typed: a view over the partition's raw files,
-- inlined into the models that read it (ephemeral), so the raw rows are never copied
-- into the warehouse. Every raw row is kept, duplicates, missing keys and late events
-- included: dq_results measures them, core/outcomes keeps what can be attributed.
with source as (
    select * from {{source "raw" "outcomes"}}
),

renamed as (
    select
        cast(experiment_id as varchar) as experiment_id,
        cast(user_id as varchar) as user_id,
        cast(event as varchar) as event,
        cast(value as double) as value,
        cast(occurred_at as timestamp) as occurred_at
    from source
)

select * from renamed
