{{!-- sum(<block>) that gives the same bits on every run: DuckDB adds doubles in parallel,
     in an order that changes from run to run, so a plain sum differs in its last bits
     between two builds of the same data. Each term is rounded to a multiple of 1e-10 and
     added as a 128-bit integer (exact: any order gives the same total), then the total is
     a double again. Terms are per-user values and their squares: |term| < 1.7e28 fits.
     (A cast through HUGEINT costs about two thirds of one through DECIMAL(38, 10).)
     Use as a block: {{#> exact_sum}}value * value{{/exact_sum}} --}}
(cast(sum(cast(({{> @partial-block}}) * 10000000000 as hugeint)) as double) / 10000000000)