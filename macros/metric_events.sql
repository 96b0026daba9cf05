{{!-- The events any of the experiment's metrics reads, as a list of SQL literals for an
     `event in (...)` filter: reading only these rows before grouping is what keeps the
     metric models cheap (page views and other events no metric uses never reach them). --}}
{{#each @root.metrics}}{{#if (eq type "ratio")}}{{literal numerator.event}}, {{literal denominator.event}}{{else}}{{literal event}}{{/if}}{{#unless @last}}, {{/unless}}{{/each}}