/**
 * Seeds end to end on the mini fixture (real DuckDB file, real Parquet): `xp build` loads
 * them first, a model reads one with {{ref}}, an edited CSV rebuilds the seed and exactly
 * what reads it, `xp seed` loads them alone, and a seed failing its data tests keeps the
 * previous table.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadProject } from '../../src/runner/load-project.ts';
import { runBuild } from '../../src/runner/run-build.ts';
import { runSeed } from '../../src/runner/run-seed.ts';
import { miniProject, type TempProject } from '../helpers/project.ts';
import { rows } from '../helpers/warehouse.ts';

let p: TempProject;
beforeEach(async () => {
  p = await miniProject();
  p.write('seeds/variant_labels.csv', 'variant,label\ncontrol,Old button\ntreatment,New button\n');
  p.write('seeds/variant_labels.yml', `description: display names of the variants
columns:
  - { name: variant, data_type: varchar, tests: [not_null, unique] }
  - { name: label, data_type: varchar, tests: [not_null] }
`);
  p.write('models/marts/labelled_totals.sql', `select t.experiment_id, t.variant, l.label, t.n
from {{ref "variant_totals"}} t left join {{ref "variant_labels"}} l using (variant)`);
});
afterEach(() => p.remove());

const project = (): ReturnType<typeof loadProject> => loadProject('configs/dev.yaml', p.root);
const wh = (): string => p.file('target/warehouse.duckdb');
const labels = async (): Promise<string[]> => (await rows<{ label: string }>(wh(), `select experiment_id || ':' || label as label from exp.labelled_totals order by 1`)).map((r) => r.label);

describe('seeds', () => {
  it('load first in xp build, are read with ref, and an edited CSV rebuilds the seed and what reads it, nothing else', async () => {
    const first = await runBuild(await project(), { select: 'all' });
    expect(first.status).toBe('success');
    expect(first.results[0]).toMatchObject({ node: 'variant_labels', experimentId: null, status: 'success', rows: 2 });
    expect(await labels()).toEqual(['exp_a:New button', 'exp_a:Old button', 'exp_b:New button', 'exp_b:Old button']);

    const again = await runBuild(await project(), { select: 'all' });
    expect(again.results.filter((r) => r.status === 'success' && r.reason !== 'fresh').map((r) => r.node)).toEqual([]);

    p.write('seeds/variant_labels.csv', 'variant,label\ncontrol,Old button\ntreatment,Green button\n');
    const edited = await runBuild(await project(), { select: 'all' });
    const rebuilt = edited.results.filter((r) => r.status === 'success' && r.reason === 'stale').map((r) => `${r.node}@${r.experimentId ?? '-'}`).sort();
    expect(rebuilt).toEqual(['labelled_totals@exp_a', 'labelled_totals@exp_b', 'variant_labels@-']);
    expect(await labels()).toEqual(['exp_a:Green button', 'exp_a:Old button', 'exp_b:Green button', 'exp_b:Old button']);
  });

  it('xp seed loads the seeds alone, is up to date on a rerun, and a seed failing its data tests keeps the previous table', async () => {
    const first = await runSeed(await project());
    expect(first.results.map((r) => [r.node, r.status, r.reason])).toEqual([['variant_labels', 'success', 'new']]);
    expect((await runSeed(await project())).results.map((r) => r.reason)).toEqual(['fresh']);

    p.write('seeds/variant_labels.csv', 'variant,label\ncontrol,Old button\ncontrol,Duplicate\n');
    const failed = await runSeed(await project());
    expect(failed.status).toBe('error');
    expect(failed.results[0]).toMatchObject({ node: 'variant_labels', status: 'error' });
    expect(await rows(wh(), 'select variant, label from exp.variant_labels order by 1')).toEqual([
      { variant: 'control', label: 'Old button' },
      { variant: 'treatment', label: 'New button' },
    ]);
  });
});
