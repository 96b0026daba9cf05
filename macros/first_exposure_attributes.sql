{{!-- One row per user of the partition's raw exposures: the user's value of each experiment
     dimension (config `dimensions`), the one on their first raw exposure row (ties broken by
     value). Shared by checks/srm_dimension_counts and slices/user_dimensions, so the SRM
     debugger and the slices always put a user in the same level. --}}
select
    cast(user_id as varchar) as user_id,
    {{#each @root.dimensions}}
    arg_min(cast({{ident this}} as varchar), row(cast(exposed_at as timestamp), cast({{ident this}} as varchar))) as {{ident this}}{{#unless @last}},{{/unless}}
    {{/each}}
from {{source "raw" "exposures"}}
where cast(experiment_id as varchar) = {{partition}} and user_id is not null
group by 1
