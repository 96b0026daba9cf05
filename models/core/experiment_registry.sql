-- One row describing the experiment being built, from its config: the design every
-- later model and analysis is read against (window, periods, arms, metrics).
with design as (
    select
        {{partition}} as experiment_id,
        cast({{literal experiment.name}} as varchar) as name,
        cast({{literal experiment.description}} as varchar) as description,
        cast({{literal experiment.hypothesis}} as varchar) as hypothesis,
        cast({{literal experiment.owner}} as varchar) as owner,
        cast({{literal experiment.start}} as date) as start_date,
        cast({{literal experiment.days}} as integer) as days,
        cast({{literal experiment.pre_period_days}} as integer) as pre_period_days,
        cast({{literal experiment.control}} as varchar) as control,
        cast({{literal experiment.treatments}} as varchar[]) as treatments,
        cast({{literal experiment.primary_metric}} as varchar) as primary_metric,
        cast({{literal experiment.secondary_metrics}} as varchar[]) as secondary_metrics,
        cast({{literal experiment.guardrails}} as varchar[]) as guardrails,
        cast({{literal experiment.alpha}} as double) as alpha,
        cast({{literal experiment.correction}} as varchar) as correction,
{{#if experiment.sequential}}
        cast({{literal experiment.sequential.looks}} as integer) as sequential_looks,
        cast({{literal experiment.sequential.spending}} as varchar) as sequential_spending,
        cast({{literal experiment.sequential.target_n_per_arm}} as bigint) as sequential_target_n_per_arm
{{else}}
        cast(null as integer) as sequential_looks,
        cast(null as varchar) as sequential_spending,
        cast(null as bigint) as sequential_target_n_per_arm
{{/if}}
),

final as (
    select
        experiment_id,
        name,
        description,
        hypothesis,
        owner,
        start_date,
        -- the window is [start_date, start_date + days): end_date is its last day
        cast(start_date + (days - 1) as date) as end_date,
        days,
        pre_period_days,
        cast(start_date - pre_period_days as date) as pre_period_start_date,
        control,
        treatments,
        cast(len(treatments) + 1 as integer) as n_variants,
        primary_metric,
        secondary_metrics,
        guardrails,
        alpha,
        correction,
        sequential_looks,
        sequential_spending,
        sequential_target_n_per_arm
    from design
)

select * from final
