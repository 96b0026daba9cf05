{{!-- Whole days from the experiment start to a timestamp's calendar day, as an INTEGER: 0 on
     the start day, negative in the pre period. Call with column="<timestamp expression>". --}}
cast(date_diff('day', cast({{literal @root.experiment.start}} as date), cast({{column}} as date)) as integer)