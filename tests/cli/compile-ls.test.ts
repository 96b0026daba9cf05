/** `xp compile` (target/compiled + manifest.json) and `xp ls` with selectors. */
import { existsSync, readdirSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fixtureProject, type TempProject } from '../helpers/project.ts';
import { xp } from '../helpers/cli.ts';

let p: TempProject;
beforeEach(() => {
  p = fixtureProject('mini'); // no raw data: compile works before any data exists
});
afterEach(() => p.remove());

describe('xp compile', () => {
  it('writes every partition\'s compiled SQL and the manifest, without a warehouse', async () => {
    const r = await xp(p.root, 'compile');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`compiled 9 model partitions (2 ephemeral); manifest: ${p.file('target/manifest.json')}\n`);
    expect(readdirSync(p.file('target/compiled')).sort()).toEqual(['_project', 'exp_a', 'exp_b']);
    // the ephemeral model too, as dbt writes it: the SELECT inlined into the models that ref it
    expect(readdirSync(p.file('target/compiled/exp_a')).sort()).toEqual(['filtered.sql', 'stg_events.sql', 'user_values.sql', 'variant_totals.sql']);
    expect(p.read('target/compiled/exp_a/filtered.sql')).toBe(
      '-- filtered · exp_a · ephemeral: inlined as a subquery into the models that ref it, never stored\n'
      + 'select * from (select * from "exp"."user_values" where experiment_id = $experiment_id) where value is not null\n',
    );
    expect(p.read('target/compiled/exp_a/variant_totals.sql')).toContain(`from (${p.read('target/compiled/exp_a/filtered.sql').split('\n')[1]})`);
    expect(readdirSync(p.file('target/compiled/_project'))).toEqual(['all_totals.sql']);
    expect(p.read('target/compiled/exp_a/stg_events.sql')).toBe(
      `-- stg_events · exp_a · partitioned\nselect experiment_id, user_id, variant, value from read_parquet('${p.file('raw')}/exp_a/events/*.parquet', union_by_name = true)\n`,
    );
    expect(existsSync(p.file('target/warehouse.duckdb'))).toBe(false);

    const manifest = JSON.parse(p.read('target/manifest.json'));
    expect(Object.keys(manifest.nodes)).toEqual(['stg_events', 'user_values', 'filtered', 'variant_totals', 'all_totals']);
    expect(manifest.experiments).toEqual(['exp_a', 'exp_b']);
    expect(manifest.parent_map).toEqual({ stg_events: [], user_values: ['stg_events'], filtered: ['user_values'], variant_totals: ['filtered'], all_totals: ['variant_totals'] });
    expect(manifest.child_map.user_values).toEqual(['filtered']);
    expect(manifest.nodes.user_values).toMatchObject({
      path: 'models/core/user_values.sql', materialized: 'partitioned', stage: 'ingest',
      description: 'One row per user with the sum of their values',
      columns: [{ name: 'user_id', description: 'the user' }],
      depends_on: ['stg_events'],
    });
    expect(manifest.nodes.user_values.compiled.exp_a.path).toBe('target/compiled/exp_a/user_values.sql');
    expect(manifest.nodes.user_values.compiled.exp_a.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(manifest.nodes.stg_events.sources).toEqual(['raw.events']);
    expect(manifest.nodes.filtered.compiled).toEqual({});
    expect(manifest.nodes.all_totals.compiled._project.path).toBe('target/compiled/_project/all_totals.sql');
  });

  it('an ephemeral model only a table inlines is compiled once, under _project/', async () => {
    p.write('models/marts/totals_eph.sql', '/*--- materialized: ephemeral ---*/\nselect * from {{ref "variant_totals"}}\n');
    p.write('models/marts/all_totals.sql', p.read('models/marts/all_totals.sql').replace('{{ref "variant_totals"}}', '{{ref "totals_eph"}}'));
    const r = await xp(p.root, 'compile');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`compiled 10 model partitions (3 ephemeral); manifest: ${p.file('target/manifest.json')}\n`);
    expect(readdirSync(p.file('target/compiled/_project')).sort()).toEqual(['all_totals.sql', 'totals_eph.sql']);
    expect(p.read('target/compiled/_project/totals_eph.sql')).toBe('-- totals_eph · project · ephemeral: inlined as a subquery into the models that ref it, never stored\nselect * from "exp"."variant_totals"\n');
    expect(existsSync(p.file('target/compiled/exp_a/totals_eph.sql'))).toBe(false);
  });

  it('--select narrows the partitions compiled', async () => {
    const r = await xp(p.root, 'compile', '--select', 'exp_b');
    expect(r.code).toBe(0);
    expect(readdirSync(p.file('target/compiled')).sort()).toEqual(['_project', 'exp_b']);
  });

  it('an unknown experiment exits 2', async () => {
    expect((await xp(p.root, 'compile', '--select', 'exp_z')).code).toBe(2);
  });
});

describe('xp ls', () => {
  it('lists every model as a table', async () => {
    const r = await xp(p.root, 'ls');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe([
      'name            materialized  stage    tags  path                             depends_on',
      '--------------  ------------  -------  ----  -------------------------------  -----------------',
      'stg_events      partitioned   ingest         models/staging/stg_events.sql    source:raw.events',
      'user_values     partitioned   ingest         models/core/user_values.sql      stg_events',
      'filtered        ephemeral     ingest         models/core/filtered.sql         user_values',
      'variant_totals  partitioned   metrics        models/marts/variant_totals.sql  filtered',
      'all_totals      table         metrics        models/marts/all_totals.sql      variant_totals',
      '',
    ].join('\n'));
  });

  const names = async (...args: string[]): Promise<string[]> => {
    const r = await xp(p.root, 'ls', '--format', 'json', ...args);
    expect(r.code).toBe(0);
    return (JSON.parse(r.stdout) as { name: string }[]).map((x) => x.name);
  };

  it.each([
    [['-m', 'user_values'], ['user_values']],
    [['-m', '+filtered'], ['stg_events', 'user_values', 'filtered']],
    [['-m', 'filtered+'], ['filtered', 'variant_totals', 'all_totals']],
    [['-m', 'path:models/marts'], ['variant_totals', 'all_totals']],
    [['-m', 'stg_events all_totals'], ['stg_events', 'all_totals']],
    [['-m', 'filtered+,path:models/marts'], ['variant_totals', 'all_totals']],
    [['-m', '@user_values'], ['stg_events', 'user_values', 'filtered', 'variant_totals', 'all_totals']],
    [['-m', 'user_values+', '--exclude', 'path:models/marts'], ['user_values', 'filtered']],
    [['--exclude', 'filtered+'], ['stg_events', 'user_values']],
  ])('ls %j', async (args, expected) => {
    expect(await names(...args)).toEqual(expected);
  });

  it('tags from the config and headers are listed and selectable', async () => {
    p.write('models/marts/variant_totals.sql', `/*--- tags: [daily, finance] ---*/\n${p.read('models/marts/variant_totals.sql')}`);
    expect(await names('-m', 'tag:finance')).toEqual(['variant_totals']);
    const r = await xp(p.root, 'ls', '-f', 'json', '-m', 'tag:daily');
    expect(JSON.parse(r.stdout)[0].tags).toEqual(['daily', 'finance']);
  });

  it('--format json gives tags and depends_on as arrays, refs first, then sources', async () => {
    const r = await xp(p.root, 'ls', '--format', 'json', '-m', 'stg_events user_values');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual([
      { name: 'stg_events', materialized: 'partitioned', stage: 'ingest', tags: [], path: 'models/staging/stg_events.sql', depends_on: ['source:raw.events'] },
      { name: 'user_values', materialized: 'partitioned', stage: 'ingest', tags: [], path: 'models/core/user_values.sql', depends_on: ['stg_events'] },
    ]);
  });

  it('a comma is an intersection: one that matches nothing exits 2 and says how to write a union', async () => {
    const r = await xp(p.root, 'ls', '-m', 'stg_events,all_totals');
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('error[SELECTOR_INVALID]: selector "stg_events,all_totals": no model matches all of its comma-separated parts (a comma is an intersection, as in dbt)\n'
      + '  hint: for a union, separate the selectors with a space: -m "stg_events all_totals"\n');
  });

  it('an unknown selector exits 2 with a hint', async () => {
    const r = await xp(p.root, 'ls', '-m', 'user_valus');
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('error[SELECTOR_INVALID]: selector "user_valus": no model named "user_valus"\n  hint: did you mean: user_values?\n');
    const far = await xp(p.root, 'ls', '-m', 'revenue');
    expect(far.stderr).toBe('error[SELECTOR_INVALID]: selector "revenue": no model named "revenue"\n  hint: run `xp ls` to list models, tags and paths\n');
  });
});
