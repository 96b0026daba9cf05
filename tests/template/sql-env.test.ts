/** The SQL Handlebars environment: strict, no HTML escaping, ref/source/partition/var/ident/literal, macros. */
import { describe, expect, it } from 'vitest';
import { XpError } from '../../src/core/errors.ts';
import { createSqlEnv, extractDependencies, type RenderState } from '../../src/template/sql-env.ts';

const state = (over: Partial<RenderState> = {}): RenderState => ({
  ref: (name) => `"exp"."${name}"`,
  source: (s, t) => `read_parquet('/raw/${s}/${t}.parquet')`,
  vars: { min_value: 3, label: "it's", flag: true, nothing: null },
  partitioned: true,
  ...over,
});

const env = createSqlEnv({}, {});
const render = (sql: string, context: Record<string, unknown> = {}, s: RenderState = state()): string =>
  env.render(sql, context, s, 'models/core/m.sql');

function renderError(fn: () => unknown): XpError {
  try {
    fn();
  } catch (err) {
    if (err instanceof XpError) return err;
    throw err;
  }
  throw new Error('rendered without an error');
}

describe('strict mode', () => {
  it('a missing variable throws TEMPLATE_ERROR naming the file and line', () => {
    const err = renderError(() => render('select 1\nwhere x = {{experiment.nme}}', { experiment: { name: 'A' } }));
    expect(err.code).toBe('TEMPLATE_ERROR');
    expect(err.message).toBe('cannot render: "nme" not defined - 2:12');
    expect(err.location).toEqual({ file: 'models/core/m.sql', line: 2 });
    expect(err.exitCode).toBe(2);
  });

  it('a missing variable inside a block is an error too, not an empty string', () => {
    const err = renderError(() => render('{{#each metrics}}{{nme}}{{/each}}', { metrics: [{ name: 'conversion' }] }));
    expect(err.message).toBe('cannot render: "nme" not defined - 1:19');
  });

  it('an unknown helper or partial is an error', () => {
    expect(renderError(() => render('{{frobnicate 1}}')).message).toBe('cannot render: "frobnicate" not defined - 1:2');
    expect(renderError(() => render('{{> nowhere}}')).message).toBe('cannot render: The partial nowhere could not be found');
  });
});

describe('helpers', () => {
  it('does not HTML-escape', () => {
    expect(render("{{x}}", { x: "a < b and c <> 'd' & e" })).toBe("a < b and c <> 'd' & e");
  });

  it('ref and source delegate to the render state', () => {
    expect(render('select * from {{ref "exposures"}} join {{source "raw" "events"}} using (user_id)'))
      .toBe(`select * from "exp"."exposures" join read_parquet('/raw/raw/events.parquet') using (user_id)`);
  });

  it('ref and source check their arguments', () => {
    expect(renderError(() => render('{{ref}}')).message).toBe('cannot render: ref takes one model name: {{ref "exposures"}}');
    expect(renderError(() => render('{{ref "a" "b"}}')).message).toBe('cannot render: ref takes one model name: {{ref "exposures"}}');
    expect(renderError(() => render('{{source "raw"}}')).message).toBe('cannot render: source takes a source and a table: {{source "raw" "exposures"}}');
  });

  it('{{partition}} is the bound parameter in a partitioned model', () => {
    expect(render('where experiment_id = {{partition}}')).toBe('where experiment_id = $experiment_id');
  });

  it('{{partition}} is refused outside a partitioned model', () => {
    const err = renderError(() => render('where experiment_id = {{partition}}', {}, state({ partitioned: false })));
    expect(err.code).toBe('TEMPLATE_ERROR');
    expect(err.message).toBe('cannot render: {{partition}} is only available in partitioned models (materialized: partitioned)');
    expect(err.location.file).toBe('models/core/m.sql');
  });

  it('var renders config vars as SQL literals, with an optional default', () => {
    expect(render('{{var "min_value"}} {{var "label"}} {{var "flag"}} {{var "nothing"}}')).toBe("3 'it''s' true null");
    expect(render('{{var "missing" 0.5}} {{var "missing" "x"}}')).toBe("0.5 'x'");
    const err = renderError(() => render('{{var "dq_max_rate"}}'));
    expect(err.message).toBe('cannot render: var "dq_max_rate" is not defined under vars: in the config and has no default');
  });

  it('literal escapes quotes and renders numbers, booleans, null and lists', () => {
    expect(render('{{literal s}}', { s: "O'Brien'; drop table x; --" })).toBe("'O''Brien''; drop table x; --'");
    expect(render('{{literal n}} {{literal b}} {{literal z}} {{literal l}}', { n: 0.25, b: false, z: null, l: ['a', "b'c", 2] }))
      .toBe("0.25 false null ['a', 'b''c', 2]");
  });

  it('literal refuses objects and non-finite numbers, naming the model', () => {
    const obj = renderError(() => render('{{literal o}}', { o: { a: 1 } }));
    expect(obj.message).toBe('literal: cannot render a object as SQL; pass a string, number, boolean or list');
    expect(obj.location.file).toBe('models/core/m.sql');
    expect(renderError(() => render('{{literal n}}', { n: Number.NaN })).message).toBe('literal: NaN is not a finite number');
  });

  it('ident double-quotes and escapes identifiers, and refuses an empty one', () => {
    expect(render('{{ident c}}', { c: 'revenue' })).toBe('"revenue"');
    expect(render('{{ident c}}', { c: 'a"b; drop table x' })).toBe('"a""b; drop table x"');
    const err = renderError(() => render('{{ident c}}', { c: '' }));
    expect(err.message).toBe('ident: expected a non-empty name, got ""');
    expect(err.location.file).toBe('models/core/m.sql');
  });

  it('iterates over metrics with the comparison helpers', () => {
    const metrics = [{ name: 'conversion', type: 'binomial' }, { name: 'revenue', type: 'mean' }];
    const sql = '{{#each metrics}}{{#if (eq type "binomial")}}max({{ident name}}){{else}}sum({{ident name}}){{/if}}{{#unless @last}}, {{/unless}}{{/each}}';
    expect(render(sql, { metrics })).toBe('max("conversion"), sum("revenue")');
    expect(render('{{#if (and a (or b c) (not d) (ne a b))}}yes{{/if}}', { a: 1, b: 0, c: 1, d: 0 })).toBe('yes');
    expect(render('{{json x}}', { x: { k: [1, 'v'] } })).toBe('{"k":[1,"v"]}');
  });
});

describe('partials and helpers from macros', () => {
  const macroEnv = createSqlEnv(
    { metric_sum: 'sum({{ident column}}) as {{ident alias}}', 'util/where_partition': 'where experiment_id = {{partition}}' },
    { pct: (x: unknown) => `${Number(x) * 100}` },
  );

  it('renders partials with hash arguments and nested helpers', () => {
    const out = macroEnv.render('select {{> metric_sum column="value" alias="total"}} from t {{> util/where_partition}}', {}, state(), 'm.sql');
    expect(out).toBe('select sum("value") as "total" from t where experiment_id = $experiment_id');
  });

  it('calls helpers from macros', () => {
    expect(macroEnv.render('{{pct 0.05}}', {}, state(), 'm.sql')).toBe('5');
  });
});

describe('extractDependencies', () => {
  it('finds refs in order without duplicates, and sources as source.table', () => {
    const sql = `
      {{!-- {{ref "commented_out"}} is not a dependency --}}
      with a as (select * from {{ref "exposures"}}),
      b as (select * from {{source "raw" "outcomes"}}),
      {{#each metrics}} c_{{name}} as (select * from {{ref "user_metrics"}}), {{/each}}
      d as (select * from {{ref "exposures"}} join {{source "raw" "exposures"}} using (user_id))
      select * from {{ref (concat "x")}} {{ref name}}`;
    expect(extractDependencies(sql, 'models/core/m.sql')).toEqual({
      refs: ['exposures', 'user_metrics'],
      sources: ['raw.outcomes', 'raw.exposures'],
    });
  });

  it('a syntax error is TEMPLATE_ERROR with the line', () => {
    const err = renderError(() => extractDependencies('select\n{{ref "a"', 'models/m.sql'));
    expect(err.code).toBe('TEMPLATE_ERROR');
    expect(err.location).toEqual({ file: 'models/m.sql', line: 2 });
    expect(err.message.startsWith('invalid template: Parse error on line 2: Expecting ')).toBe(true);
  });
});
