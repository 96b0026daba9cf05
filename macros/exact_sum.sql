{{!-- sum(<block>) that gives the same bits on every run: DuckDB adds doubles in parallel,
     in an order that changes from run to run, so a plain sum differs in its last bits
     between two builds of the same data. Each term is rounded to a DECIMAL(38, 10) first
     (exact integer arithmetic: any order gives the same total), then the total is a double
     again. Terms are per-user values and their squares: 28 integer digits is ample.
     Use as a block: {{#> exact_sum}}value * value{{/exact_sum}} --}}
cast(sum(cast(({{> @partial-block}}) as decimal(38, 10))) as double)