-- One row per configured variant: the planned allocation the SRM check compares the
-- observed split against, and the arms every aggregate has a row for (even when empty).
with configured as (
    select
        variant,
        variant_order,
        expected_share
    from (
        values
{{#each experiment.variants}}
            ({{literal @key}}, {{@index}}, {{literal this}}){{#unless @last}},{{/unless}}
{{/each}}
    ) as v (variant, variant_order, expected_share)
),

final as (
    select
        {{partition}} as experiment_id,
        cast(variant as varchar) as variant,
        cast(variant_order as integer) as variant_order,
        cast(expected_share as double) as expected_share,
        variant = {{literal experiment.control}} as is_control
    from configured
    order by variant_order
)

select * from final
