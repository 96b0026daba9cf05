/*--- description: "core exposures hold one row per user (the first exposure)" ---*/
select user_id, count(*) as rows
from {{ref "exposures"}}
group by user_id
having count(*) > 1
