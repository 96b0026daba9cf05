{{!-- The last fields of a metric's struct when a wide row (m<idx>_… columns, as
     user_metrics_wide and the overall model's per-variant sums name them) is turned long:
     the floor and cap its values were held to, post and pre period; null for a metric that
     is not winsorised / capped. Call inside {{#each metrics}} with idx=@index, last in the
     struct (no trailing comma). --}}
{{#if (and (eq type "mean") winsor)}}
                value_floor: m{{idx}}_value_floor,
                pre_value_floor: m{{idx}}_pre_value_floor,
{{else}}
                value_floor: null::double,
                pre_value_floor: null::double,
{{/if}}
{{#if (and (eq type "mean") (or cap_quantile winsor))}}
                value_cap: m{{idx}}_value_cap,
                pre_value_cap: m{{idx}}_pre_value_cap
{{else}}
                value_cap: null::double,
                pre_value_cap: null::double
{{/if}}
