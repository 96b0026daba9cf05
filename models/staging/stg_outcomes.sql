/*--- materialized: ephemeral ---*/
-- Raw outcome events of one experiment, typed: a view over the partition's raw files,
-- inlined into the models that read it (ephemeral), so the raw rows are never copied
-- into the warehouse. Every raw row of this experiment is kept, duplicates, missing keys
-- and late events included: dq_results measures them, core/outcomes keeps what can be
-- attributed.
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
),

-- The raw folder is the partition, and a row belongs to it only if it says so: rows
-- labelled with another experiment_id (or none) are left out here, so they never reach
-- exposures, outcomes or metrics, and stg_foreign_rows counts them for dq_results
-- (raw_foreign_experiment_rows, severity error: the decision is investigate).
own as (
    select * from renamed
    where experiment_id = {{partition}}
)

select * from own
