/*--- materialized: ephemeral ---*/
-- One row per exposed user and metric: user_metrics_wide (every metric of a user side by
-- side) turned long, one struct per metric unnested into rows. The per-user values every
-- metric model and `xp aa` read; ephemeral, so the users × metrics rows are never written.
with wide as (
    select * from {{ref "user_metrics_wide"}}
),

user_metric_rows as (
    select
        experiment_id,
        user_id,
        variant,
        unnest([
{{#each metrics}}
            {
                metric: {{literal name}},
                metric_type: {{literal type}},
                value: m{{@index}}_value,
                pre_value: m{{@index}}_pre_value,
{{#if (eq type "ratio")}}
                numerator: m{{@index}}_numerator,
                denominator: m{{@index}}_denominator,
                pre_numerator: m{{@index}}_pre_numerator,
                pre_denominator: m{{@index}}_pre_denominator,
{{else}}
                numerator: null::double,
                denominator: null::double,
                pre_numerator: null::double,
                pre_denominator: null::double,
{{/if}}
{{> metric_bound_fields idx=@index}}
            }{{#unless @last}},{{/unless}}
{{/each}}
        ], recursive := true)
    from wide
),

final as (
    select
        experiment_id,
        user_id,
        variant,
        metric,
        metric_type,
        value,
        pre_value,
        numerator,
        denominator,
        pre_numerator,
        pre_denominator,
        value_cap,
        pre_value_cap,
        value_floor,
        pre_value_floor
    from user_metric_rows
)

select * from final
