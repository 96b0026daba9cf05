{{!-- sum(<block>) that gives the same bits on every run: DuckDB adds doubles in parallel,
     in an order that changes from run to run, so a plain sum differs in its last bits
     between two builds of the same data. Each term is split into its integer part and its
     fraction rounded to 1e-10, both summed as integers (exact: any order gives the same
     totals, accumulated in 128 bits), and the two totals are combined as doubles. Terms
     are per-user values and their squares: |term| < 9.2e18 (a larger one fails the cast
     loudly). Two BIGINT casts cost about two thirds of one cast to HUGEINT or DECIMAL.
     Use as a block: {{#> exact_sum}}value * value{{/exact_sum}}.
     whole=true: the terms are whole numbers by construction (a metric's `whole` flags,
     project/whole-values.ts): one integer sum, exact in any order, with the same bits. --}}
{{#if whole}}cast(sum(cast({{> @partial-block}} as bigint)) as double){{else}}(cast(sum(cast(trunc({{> @partial-block}}) as bigint)) as double) + cast(sum(cast((({{> @partial-block}}) - trunc({{> @partial-block}})) * 10000000000 as bigint)) as double) / 10000000000){{/if}}