{{!-- A user's metric value from the raw column m<idx><suffix> (see metric_user_columns):
     binomial = 1 if the user had at least one event, else 0; mean = the sum, capped for
     metrics with cap_quantile at the column m<idx><cap_suffix>_cap of the relation named
     by `caps` (cap_suffix defaults to suffix); mean metrics with `winsor` (cap: / cap_nonzero:,
     project/winsorisation.ts) are held between m<idx><cap_suffix>_floor and _cap, either of
     which may be null (no bound on that side); with winsor.nonzero a user without a value
     (0) stays 0, as the bounds describe the users who have one; ratio = the numerator. No events (null) is 0.
     Hash: idx, suffix, caps and cap_suffix (only read for capped mean metrics). --}}
{{#if (eq type "binomial")}}least(coalesce(m{{idx}}{{suffix}}, 0), 1)::double{{else if (and (eq type "mean") winsor)}}{{#if winsor.nonzero}}case when coalesce(m{{idx}}{{suffix}}, 0) = 0 then 0::double else {{/if}}greatest(least(coalesce(m{{idx}}{{suffix}}, 0), coalesce({{caps}}.m{{idx}}{{#if cap_suffix}}{{cap_suffix}}{{else}}{{suffix}}{{/if}}_cap, 'infinity'::double)), coalesce({{caps}}.m{{idx}}{{#if cap_suffix}}{{cap_suffix}}{{else}}{{suffix}}{{/if}}_floor, '-infinity'::double))::double{{#if winsor.nonzero}} end{{/if}}{{else if (and (eq type "mean") cap_quantile)}}least(coalesce(m{{idx}}{{suffix}}, 0), {{caps}}.m{{idx}}{{#if cap_suffix}}{{cap_suffix}}{{else}}{{suffix}}{{/if}}_cap)::double{{else}}coalesce(m{{idx}}{{suffix}}, 0)::double{{/if}}