{{!-- The calendar day of a day index (0 = the start date, negative in the pre period).
     Call with column="<integer expression>"; the inverse of day_index. --}}
cast(cast({{literal @root.experiment.start}} as date) + cast({{column}} as integer) as date)