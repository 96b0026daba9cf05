/*--- description: "SRM observed counts add up to the exposed users, overall and by the last day" ---*/
with srm as (select * from {{ref "srm_counts"}}),
exposed as (select count(*) as users from {{ref "exposures"}}),
overall as (select sum(observed) as observed, max(total) as total from srm where grain = 'overall'),
last_day as (
    select sum(observed_cum) as observed_cum
    from srm
    where grain = 'daily' and day_index = (select max(day_index) from srm where grain = 'daily')
)
select exposed.users, overall.observed, overall.total, last_day.observed_cum
from exposed, overall, last_day
where overall.observed <> exposed.users
    or overall.total <> exposed.users
    or (exposed.users > 0 and last_day.observed_cum <> exposed.users)
