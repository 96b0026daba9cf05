/**
 * Rendering a project's models for a partition: refs to partitioned parents read only the
 * partition, ephemeral models are inlined, sources become the partition's files, and the
 * experiment id enters SQL only as the bound parameter or an escaped literal.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { XpError } from '../../src/core/errors.ts';
import { loadProject, type Project } from '../../src/runner/load-project.ts';
import { renderModels, templateContext } from '../../src/template/render-models.ts';
import { fixtureProject, type TempProject } from '../helpers/project.ts';

let p: TempProject;
let project: Project;
beforeAll(async () => {
  p = fixtureProject('mini');
  project = await loadProject('configs/dev.yaml', p.root);
});
afterAll(() => p.remove());

const expA = () => project.config.experiments.find((e) => e.id === 'exp_a')!;
const files = new Map([['raw.events', ["/data/raw/exp_a/events/part-0.parquet", "/data/it's/part-1.parquet"]]]);

function renderError(fn: () => unknown): XpError {
  try {
    fn();
  } catch (err) {
    if (err instanceof XpError) return err;
    throw err;
  }
  throw new Error('rendered without an error');
}

describe('renderModels in a partition', () => {
  it('a source becomes read_parquet over the partition files, quotes escaped', () => {
    const sql = renderModels(project.env, project.dag, project.config, expA(), ['stg_events'], files);
    expect(sql.get('stg_events')).toBe(
      "select experiment_id, user_id, variant, value from read_parquet(['/data/raw/exp_a/events/part-0.parquet', '/data/it''s/part-1.parquet'], union_by_name = true)",
    );
  });

  it('a ref to a partitioned parent reads only the bound partition; vars are literals', () => {
    const sql = renderModels(project.env, project.dag, project.config, expA(), ['user_values'], files).get('user_values')!;
    expect(sql).toContain('with events as (select * from (select * from "exp"."stg_events" where experiment_id = $experiment_id))');
    expect(sql).toContain('where value >= 0');
  });

  it('an ephemeral parent is inlined, not referenced; the header comment is stripped', () => {
    const sql = renderModels(project.env, project.dag, project.config, expA(), ['variant_totals'], files).get('variant_totals')!;
    expect(sql).toContain('from (select * from (select * from "exp"."user_values" where experiment_id = $experiment_id) where value is not null)');
    expect(sql).not.toContain('"filtered"');
    expect(sql).not.toContain('/*---');
  });

  it('the experiment id never appears in model SQL except inside escaped literals', () => {
    const exp = { ...expA(), id: 'exp_a', name: "A'; drop table exp.stg_events; --" };
    const sql = renderModels(project.env, project.dag, project.config, exp, ['stg_events', 'user_values', 'variant_totals'], new Map([['raw.events', ['/r/part.parquet']]]));
    for (const s of sql.values()) expect(s).not.toContain('exp_a');
    expect(sql.get('variant_totals')).toContain("'A''; drop table exp.stg_events; --' as experiment_name");
  });

  it('missing raw files are RAW_DATA_MISSING naming the experiment and the object prefix', () => {
    const err = renderError(() => renderModels(project.env, project.dag, project.config, expA(), ['stg_events'], new Map()));
    expect(err.code).toBe('RAW_DATA_MISSING');
    expect(err.message).toBe('no raw events files for experiment exp_a');
    expect(err.location).toEqual({ model: 'stg_events', experiment: 'exp_a', object: 'exp_a/events/' });
    expect(err.exitCode).toBe(1);
  });

  it('a source fallback shows where files will be read before any exist', () => {
    const sql = renderModels(project.env, project.dag, project.config, expA(), ['stg_events'], new Map(), {
      sourceFallback: (_s, t) => `read_parquet('/future/exp_a/${t}/*.parquet')`,
    });
    expect(sql.get('stg_events')).toBe("select experiment_id, user_id, variant, value from read_parquet('/future/exp_a/events/*.parquet')");
  });

  it('refOverride and sourceOverride replace relations (unit tests point them at fixtures)', () => {
    const sql = renderModels(project.env, project.dag, project.config, expA(), ['user_values', 'stg_events'], files, {
      refOverride: (n) => (n === 'stg_events' ? '__fixture_stg_events' : undefined),
      sourceOverride: () => '__fixture_raw',
    });
    expect(sql.get('user_values')).toContain('select * from __fixture_stg_events');
    expect(sql.get('stg_events')).toContain('from __fixture_raw');
  });
});

describe('renderModels at project level', () => {
  it('a table model reads the whole partitioned parent', () => {
    const sql = renderModels(project.env, project.dag, project.config, undefined, ['all_totals'], new Map()).get('all_totals')!;
    expect(sql).toBe('select experiment_id, sum(total) as total from "exp"."variant_totals" group by all');
  });

  it('reading the raw source outside a partition is MODEL_INVALID', () => {
    const err = renderError(() => renderModels(project.env, project.dag, project.config, undefined, ['stg_events'], files));
    expect(err.code).toBe('MODEL_INVALID');
    expect(err.message).toBe('only partitioned models can read the raw source (it is stored per experiment)');
    expect(err.location).toEqual({ file: 'models/staging/stg_events.sql', model: 'stg_events' });
  });
});

describe('macros in a project', () => {
  it('models use partials from macros/*.sql and helpers from macros/*.ts, and iterate over metrics', async () => {
    const q = fixtureProject('mini');
    try {
      q.write('macros/sum_of.sql', 'sum({{ident column}}) as {{ident alias}}');
      q.write('macros/names.ts', 'export function upper(s: unknown): string { return String(s).toUpperCase(); }\n');
      q.write('models/marts/per_metric.sql', [
        'select experiment_id,',
        '  {{> sum_of column="value" alias="total"}},',
        '  {{#each metrics}}{{literal (upper name)}} as {{ident name}}{{#unless @last}}, {{/unless}}{{/each}}',
        'from {{ref "user_values"}} group by all',
      ].join('\n'));
      const proj = await loadProject('configs/dev.yaml', q.root);
      const exp = proj.config.experiments.find((e) => e.id === 'exp_a')!;
      const sql = renderModels(proj.env, proj.dag, proj.config, exp, ['per_metric'], files).get('per_metric')!;
      expect(sql).toBe([
        'select experiment_id,',
        '  sum("value") as "total",',
        "  'CONVERSION' as \"conversion\"",
        'from (select * from "exp"."user_values" where experiment_id = $experiment_id) group by all',
      ].join('\n'));
      expect(proj.dag.parents.get('per_metric')).toEqual(['user_values']);
    } finally {
      q.remove();
    }
  });
});

describe('templateContext', () => {
  it('exposes the experiment, its metrics in order, every metric and the vars', () => {
    const ctx = templateContext(project.config, expA());
    // `whole`: which of its per-user values are whole numbers (summed with one integer sum)
    expect(ctx['metrics']).toEqual([{ name: 'conversion', type: 'binomial', event: 'purchase', direction: 'increase', guardrail: false, noninferiority: false, whole: { value: true, denominator: false } }]);
    expect(ctx['vars']).toEqual({ min_value: 0 });
    expect((ctx['experiment'] as { id: string }).id).toBe('exp_a');
    expect(templateContext(project.config, undefined)['experiment']).toBeNull();
  });
});
