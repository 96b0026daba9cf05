{{!-- One event-level aggregate of a metric part, inside a group by over core outcomes:
     the sum of the event's value column, or the number of events when the part has no
     value. Hash: event (required), value (optional column), period (optional: 'pre' or
     'post'; omitted = both). Zero, never null, when the group has no such event. --}}
{{#if value}}coalesce(sum({{ident value}}) filter (where event = {{literal event}}{{#if period}} and period = {{literal period}}{{/if}}), 0){{else}}count(*) filter (where event = {{literal event}}{{#if period}} and period = {{literal period}}{{/if}}){{/if}}