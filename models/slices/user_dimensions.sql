-- One row per user of the analysis population and dimension: the user's level. Experiment
-- dimensions (config `dimensions`) are the raw exposure columns, a user's value being the
-- one on their first raw exposure row ('(missing)' when empty); a user-level dimension
-- comes from the seed seeds/country_regions.csv: `region`, when `country` is a dimension.
with population as (
    select user_id from {{ref "exposures"}}
),

regions as (
    select country, region from {{ref "country_regions"}}
){{#if dimensions.length}},

attributes as (
    {{> first_exposure_attributes}}
),

with_attributes as (
    select population.user_id{{#each dimensions}}, attributes.{{ident this}}{{/each}}
    from population
    left join attributes using (user_id)
),

levels as (
    {{#each dimensions}}
    select user_id, {{literal this}} as dimension, coalesce({{ident this}}, '(missing)') as level from with_attributes
    {{#unless @last}}union all{{/unless}}
    {{#if (eq this "country")}}
    union all
    select user_id, 'region' as dimension, coalesce(regions.region, '(unmapped)') as level
    from with_attributes left join regions on with_attributes.country = regions.country
    {{/if}}
    {{/each}}
)

select {{partition}} as experiment_id, user_id, dimension, level from levels
{{else}}

select {{partition}} as experiment_id, user_id, null::varchar as dimension, null::varchar as level
from population, regions
where false
{{/if}}
