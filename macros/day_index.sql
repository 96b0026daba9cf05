{{!-- Whole days from the experiment start to a timestamp's calendar day: 0 on the start
     day, negative in the pre period. Call with column="<timestamp expression>". --}}
date_diff('day', cast({{literal @root.experiment.start}} as date), cast({{column}} as date))