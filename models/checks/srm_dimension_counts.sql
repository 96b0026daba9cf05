-- Users per variant within each level of the experiment's dimensions (config
-- `dimensions`: exposure columns such as platform, country) and of each exposure day, for
-- the SRM debugger (analysis srm_debug). A user's level is the value on their first raw
-- exposure row; a user without one is in level '(missing)'. No dimensions configured: only
-- the day rows (no raw column beyond the contract is read).
with population as (
    select * from {{ref "exposures"}}
),
{{#if dimensions.length}}
attributes as (
    {{> first_exposure_attributes}}
),

with_attributes as (
    select population.*{{#each dimensions}}, attributes.{{ident this}}{{/each}}
    from population
    left join attributes using (user_id)
),

levels as (
    {{#each dimensions}}
    select {{literal this}} as dimension, coalesce({{ident this}}, '(missing)') as level, variant from with_attributes
    union all
    {{/each}}
    select 'day' as dimension, strftime(exposure_day, '%Y-%m-%d') as level, variant from with_attributes
)
{{else}}
levels as (
    select 'day' as dimension, strftime(exposure_day, '%Y-%m-%d') as level, variant from population
)
{{/if}}

select
    {{partition}} as experiment_id,
    dimension,
    level,
    variant,
    count(*) as observed
from levels
group by all
