{{!-- One bound of a winsorised mean metric over the users of the caps group, for the raw
     column m<idx><suffix>: the quantile of users' values (0 for users without events),
     among users with a nonzero value when `nonzero`; else the fixed `value`; else null (no
     bound on this side). Quantiles are pooled across arms so capping cannot favour one. --}}
{{#if quantile}}quantile_cont(coalesce(m{{idx}}{{suffix}}, 0), {{literal quantile}}){{#if nonzero}} filter (where coalesce(m{{idx}}{{suffix}}, 0) <> 0){{/if}}{{else if (ne value null)}}{{literal value}}::double{{else}}null::double{{/if}}
