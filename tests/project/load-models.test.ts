/** Model discovery: header settings, folder defaults, properties, partials and helpers from macros/. */
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/project/load-config.ts';
import { loadHelpers, loadModels, loadPartials } from '../../src/project/load-models.ts';
import { fixtureProject, type TempProject } from '../helpers/project.ts';

let p: TempProject | undefined;
afterEach(() => p?.remove());

function models(project: TempProject) {
  return new Map(loadModels(loadConfig('configs/dev.yaml', project.root)).map((m) => [m.name, m]));
}

describe('loadModels', () => {
  it('finds one model per file with folder defaults, header overrides and properties', () => {
    p = fixtureProject('mini');
    const m = models(p);
    expect([...m.keys()].sort()).toEqual(['all_totals', 'filtered', 'stg_events', 'user_values', 'variant_totals']);
    expect(m.get('stg_events')).toMatchObject({ path: 'models/staging/stg_events.sql', folder: 'staging', materialized: 'partitioned', stage: 'ingest', refs: [], sources: ['raw.events'] });
    // header overrides the folder default; the stage still cascades from the folder
    expect(m.get('filtered')).toMatchObject({ materialized: 'ephemeral', stage: 'ingest', refs: ['user_values'] });
    expect(m.get('all_totals')).toMatchObject({ materialized: 'table', stage: 'metrics', refs: ['variant_totals'] });
    expect(m.get('user_values')!.properties.description).toBe('One row per user with the sum of their values');
    expect(m.get('user_values')!.propertiesPath).toBe('models/core/user_values.yml');
    expect(m.get('user_values')!.properties.columns).toEqual([{ name: 'user_id', description: 'the user' }]);
    expect(m.get('stg_events')!.properties).toEqual({ columns: [], tests: [], unit_tests: [] });
  });

  it('cascades tags from nested folders and the header, and drops disabled models', () => {
    p = fixtureProject('mini');
    p.write('configs/dev.yaml', p.read('configs/dev.yaml').replace(
      '  marts: { materialized: partitioned, stage: metrics }',
      '  marts: { materialized: partitioned, stage: metrics, tags: [mart] }\n  marts/daily: { tags: [daily], stage: dq }',
    ));
    p.write('models/marts/daily/daily_totals.sql', '/*--- tags: [nightly] ---*/\nselect * from {{ref "variant_totals"}}\n');
    p.write('models/marts/old_totals.sql', '/*--- enabled: false ---*/\nselect * from {{ref "nothing_here"}}\n');
    const m = models(p);
    expect(m.get('daily_totals')).toMatchObject({ folder: 'marts/daily', materialized: 'partitioned', stage: 'dq', tags: ['mart', 'daily', 'nightly'] });
    expect(m.get('variant_totals')!.tags).toEqual(['mart']);
    expect(m.has('old_totals')).toBe(false);
  });

  it('a model file name that is not a table name is MODEL_INVALID', () => {
    p = fixtureProject('mini');
    p.write('models/core/User-Values.sql', 'select 1\n');
    expect(() => models(p!)).toThrow(expect.objectContaining({ code: 'MODEL_INVALID', message: 'model file name "User-Values" is not a valid table name', location: { file: 'models/core/User-Values.sql' } }));
  });
});

describe('macros', () => {
  it('loads *.sql as partials named by path and every exported function of *.ts as a helper', async () => {
    p = fixtureProject('mini');
    p.write('macros/metric_sum.sql', 'sum({{ident column}})');
    p.write('macros/util/cast_double.sql', 'cast({{ident column}} as double)');
    p.write('macros/helpers.ts', 'export function pct(x: unknown): string { return `${Number(x) * 100}`; }\nexport const notAHelper = 1;\n');
    expect(loadPartials(p.root)).toEqual({ metric_sum: 'sum({{ident column}})', 'util/cast_double': 'cast({{ident column}} as double)' });
    const helpers = await loadHelpers(p.root);
    expect(Object.keys(helpers)).toEqual(['pct']);
    expect(helpers['pct']!(0.25)).toBe('25');
  });
});
