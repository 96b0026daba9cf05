{{!-- First instant of the experiment window: the start date at midnight. --}}
cast({{literal @root.experiment.start}} as timestamp)