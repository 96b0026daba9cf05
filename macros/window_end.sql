{{!-- End of the experiment window, exclusive: start + days. --}}
(cast({{literal @root.experiment.start}} as timestamp) + to_days({{literal @root.experiment.days}}))