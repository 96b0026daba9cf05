/*--- description: "every outcome belongs to an exposed user, post events come at or after that user's exposure, pre events before the start" ---*/
with outcomes as (select * from {{ref "outcomes"}}),
exposures as (select * from {{ref "exposures"}})
select outcomes.user_id, outcomes.period, outcomes.occurred_at, exposures.exposed_at
from outcomes
left join exposures using (user_id)
where exposures.user_id is null
    or (outcomes.period = 'post' and outcomes.occurred_at < exposures.exposed_at)
    or (outcomes.period = 'pre' and outcomes.day_index >= 0)
    or outcomes.variant is distinct from exposures.variant
