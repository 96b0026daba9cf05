/**
 * README "Adding things → A model", followed verbatim in a folder the config does not
 * list: `models/<layer>/<name>.sql` with a SELECT that reads a model with {{ref}} and
 * returns `{{partition}} as experiment_id`, described in `<name>.yml` beside it. A folder
 * without an entry under `models:` is partitioned, stage metrics.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/project/load-config.ts';
import { loadModels } from '../../src/project/load-models.ts';
import { xp } from '../helpers/cli.ts';
import { miniProject, type TempProject } from '../helpers/project.ts';
import { shippedProject } from '../helpers/shipped.ts';
import { rows } from '../helpers/warehouse.ts';

let p: TempProject | undefined;
afterEach(() => p?.remove());

const RECIPE_SQL = `-- users per variant, from the staged events
with events as (select * from {{ref "stg_events"}})
select {{partition}} as experiment_id, variant, count(distinct user_id) as users
from events
group by variant
`;
const RECIPE_YML = `description: Users per variant of the experiment
columns:
  - name: users
    description: distinct users
    tests: [not_null]
`;

/** README.md, Adding things → A model: the example, verbatim. */
const README_EXAMPLE = `-- models/marts/variant_users.sql
with exposures as (select * from {{ref "stg_exposures"}})
select {{partition}} as experiment_id, variant, count(distinct user_id) as users
from exposures
group by variant
`;

const modelsOf = (q: TempProject) => new Map(loadModels(loadConfig('configs/dev.yaml', q.root)).map((m) => [m.name, m]));

describe('a model in a new folder (README recipe)', () => {
  it('builds per experiment with no config entry and no header: partitioned, stage metrics', async () => {
    p = await miniProject();
    p.write('models/reports/variant_users.sql', RECIPE_SQL);
    p.write('models/reports/variant_users.yml', RECIPE_YML);
    expect(modelsOf(p).get('variant_users')).toMatchObject({ folder: 'reports', materialized: 'partitioned', stage: 'metrics', refs: ['stg_events'] });

    const r = await xp(p.root, 'build', '--select', 'all');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/OK {3}exp_a variant_users 2 rows/);
    expect(await rows(p.file('target/warehouse.duckdb'), 'select experiment_id, variant, users from exp.variant_users order by all')).toEqual([
      { experiment_id: 'exp_a', variant: 'control', users: 25 },
      { experiment_id: 'exp_a', variant: 'treatment', users: 25 },
      { experiment_id: 'exp_b', variant: 'control', users: 25 },
      { experiment_id: 'exp_b', variant: 'treatment', users: 25 },
    ]);
    const t = await xp(p.root, 'test', '-m', 'variant_users');
    expect(t.code).toBe(0);
    expect(t.stdout).toMatch(/2 tests in \S+: 2 passed/);
  });

  it('the README\'s example, in models/marts/ of the shipped project', async () => {
    p = shippedProject({ nUsers: 300 });
    p.write('models/marts/variant_users.sql', README_EXAMPLE);
    const r = await xp(p.root, 'build', '--select', 'exp_checkout_button_001', '--generate-synth');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/OK {3}exp_checkout_button_001 variant_users 2 rows/);
    const ls = await xp(p.root, 'ls', '-f', 'json', '-m', 'variant_users');
    expect(JSON.parse(ls.stdout)).toEqual([{ name: 'variant_users', materialized: 'partitioned', stage: 'metrics', tags: [], path: 'models/marts/variant_users.sql', depends_on: ['stg_exposures'] }]);
  }, 60_000);

  it('--skip-metrics leaves it out with the other metrics-stage models', async () => {
    p = await miniProject();
    p.write('models/reports/variant_users.sql', RECIPE_SQL);
    const r = await xp(p.root, 'build', '--select', 'exp_a', '--dry-run', '--skip-metrics');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('  skip  exp_a variant_users [partitioned, metrics] flag\n');
  });

  it('a configured folder that leaves materialized out is partitioned too (stage ingest); the header still wins', async () => {
    p = await miniProject();
    p.write('configs/dev.yaml', p.read('configs/dev.yaml').replace('models:\n', 'models:\n  reports: { tags: [weekly] }\n'));
    p.write('models/reports/variant_users.sql', RECIPE_SQL);
    p.write('models/reports/all_users.sql', '/*--- materialized: table ---*/\nselect variant, sum(users) as users from {{ref "variant_users"}} group by variant\n');
    const m = modelsOf(p);
    expect(m.get('variant_users')).toMatchObject({ materialized: 'partitioned', stage: 'ingest', tags: ['weekly'] });
    expect(m.get('all_users')).toMatchObject({ materialized: 'table', stage: 'ingest' });
  });
});
