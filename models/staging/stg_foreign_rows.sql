/*--- materialized: ephemeral ---*/
-- Raw rows in this experiment's folder that are labelled with another experiment_id (or
-- none): one row per raw table and foreign id, with the number of rows. The raw folder is
-- the partition, but the label decides: stg_exposures and stg_outcomes leave these rows
-- out, and dq_results fails raw_foreign_experiment_rows on any of them, so a log of one
-- experiment copied into another's folder is reported, never absorbed. Reads only the
-- experiment_id column of the raw files.
with exposures as (
    select cast(experiment_id as varchar) as experiment_id from {{source "raw" "exposures"}}
),

outcomes as (
    select cast(experiment_id as varchar) as experiment_id from {{source "raw" "outcomes"}}
),

labelled as (
    select 'exposures' as raw_table, experiment_id from exposures
    union all
    select 'outcomes' as raw_table, experiment_id from outcomes
),

foreign_rows as (
    select
        raw_table,
        experiment_id,
        count(*) as n_rows
    from labelled
    where experiment_id is distinct from {{partition}}
    group by raw_table, experiment_id
)

select * from foreign_rows
