{{!-- A metric's raw per-group columns for a group by over core outcomes, named by the
     metric's position (m<idx>...) so no config string becomes an identifier:
       m<idx><suffix>      the numerator: events (binomial), summed value or count (mean),
                           the numerator part (ratio)
       m<idx><suffix>_den  ratio metrics only: the denominator part
     Call inside {{#each metrics}} with idx=@index, suffix="_post" and optional period.
     Binomial and capping are applied later (metric_user_value), on the user's total. --}}
{{#if (eq type "ratio")}}
, {{> metric_event_sum event=numerator.event value=numerator.value period=period}} as m{{idx}}{{suffix}}
, {{> metric_event_sum event=denominator.event value=denominator.value period=period}} as m{{idx}}{{suffix}}_den
{{else}}
, {{> metric_event_sum event=event value=value period=period}} as m{{idx}}{{suffix}}
{{/if}}
