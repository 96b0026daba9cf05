/**
 * The planner is pure: a project, rendered SQL, input snapshot hashes and the stored
 * fingerprints in; build/skip decisions with reasons out. No DuckDB here.
 */
import { readdirSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadProject, type Project } from '../../src/runner/load-project.ts';
import { describeStep, plan, type PlanStep } from '../../src/plan/plan.ts';
import { PartitionMap, type ReadonlyPartitionMap } from '../../src/plan/partition-map.ts';
import { modelFingerprint } from '../../src/plan/fingerprint.ts';
import { snapshotHash } from '../../src/storage/inputs.ts';
import { renderModels } from '../../src/template/render-models.ts';
import type { Stage } from '../../src/project/types.ts';
import { fixtureProject, type TempProject } from '../helpers/project.ts';

interface PlanOpts {
  readonly stored?: ReadonlyPartitionMap<string>;
  readonly inputs?: Readonly<Record<string, string>>;
  readonly fullRefresh?: boolean;
  readonly skipStages?: readonly Stage[];
  readonly experiments?: readonly string[];
  readonly models?: readonly string[];
}

/** Plan the mini project the way prepareBuild does, with made-up raw files. */
function planMini(project: Project, opts: PlanOpts = {}): PlanStep[] {
  const { dag, env, config } = project;
  const partitioned = dag.order.filter((m) => dag.nodes.get(m)!.materialized === 'partitioned');
  const global = dag.order.filter((m) => ['view', 'table'].includes(dag.nodes.get(m)!.materialized));
  const ids = opts.experiments ?? ['exp_a', 'exp_b'];
  const partitions = ids.map((id) => {
    const exp = config.experiments.find((e) => e.id === id)!;
    const files = new Map([['raw.events', [`/raw/${id}/events/part-0.parquet`]]]);
    return { experimentId: id, sql: renderModels(env, dag, config, exp, partitioned, files), inputs: opts.inputs?.[id] ?? `snapshot-${id}` };
  });
  return plan({
    dag,
    models: opts.models ?? dag.order,
    partitions,
    globalSql: renderModels(env, dag, config, undefined, global, new Map()),
    stored: opts.stored ?? new PartitionMap(),
    fullRefresh: opts.fullRefresh ?? false,
    skipStages: new Set(opts.skipStages ?? []),
  });
}

/** What a successful apply of `steps` records (as xp.partitions does). */
function recorded(steps: readonly PlanStep[], previous: ReadonlyPartitionMap<string> = new PartitionMap()): PartitionMap<string> {
  const out = new PartitionMap(previous);
  for (const s of steps) if (s.action === 'build') out.set(s, s.fingerprint);
  return out;
}

const summary = (steps: readonly PlanStep[]): string[] => steps.map((s) => `${s.experimentId ?? '-'} ${s.model} ${s.action} ${s.reason}`);
const reasons = (steps: readonly PlanStep[]): Record<string, string> =>
  Object.fromEntries(steps.map((s) => [`${s.model}@${s.experimentId ?? '-'}`, s.reason]));

let p: TempProject;
let project: Project;
beforeEach(async () => {
  p = fixtureProject('mini');
  project = await loadProject('configs/dev.yaml', p.root);
});
afterEach(() => p.remove());

describe('plan', () => {
  it('a first build builds every partition in order; ephemeral models are never built', () => {
    expect(summary(planMini(project))).toEqual([
      'exp_a stg_events build new',
      'exp_a user_values build new',
      'exp_a variant_totals build new',
      'exp_b stg_events build new',
      'exp_b user_values build new',
      'exp_b variant_totals build new',
      '- filtered skip ephemeral',
      '- all_totals build new',
    ]);
  });

  it('is deterministic and touches no files', () => {
    const before = readdirSync(p.root).sort();
    expect(planMini(project)).toEqual(planMini(project));
    expect(readdirSync(p.root).sort()).toEqual(before);
  });

  it('an unchanged project rebuilds nothing', () => {
    const stored = recorded(planMini(project));
    const steps = planMini(project, { stored });
    expect(steps.filter((s) => s.action === 'build')).toEqual([]);
    expect(new Set(steps.map((s) => s.reason))).toEqual(new Set(['fresh', 'ephemeral']));
  });

  it('--full-refresh rebuilds every partition of an unchanged project', () => {
    const stored = recorded(planMini(project));
    const steps = planMini(project, { stored, fullRefresh: true });
    expect(steps.filter((s) => s.action === 'build').length).toBe(7);
    expect(steps.filter((s) => s.materialized !== 'ephemeral').every((s) => s.reason === 'full-refresh')).toBe(true);
  });

  it('--skip-<stage> skips that stage with reason flag', () => {
    const steps = planMini(project, { skipStages: ['metrics'] });
    expect(reasons(steps)).toMatchObject({ 'variant_totals@exp_a': 'flag', 'variant_totals@exp_b': 'flag', 'all_totals@-': 'flag', 'user_values@exp_a': 'new' });
  });

  it('a changed model SQL makes its partitions and its descendants stale, not its parents', async () => {
    const stored = recorded(planMini(project));
    p.write('models/core/user_values.sql', p.read('models/core/user_values.sql').replace('sum(value) as value', 'sum(value) + 0 as value'));
    const changed = await loadProject('configs/dev.yaml', p.root);
    const r = reasons(planMini(changed, { stored }));
    expect(r).toEqual({
      'stg_events@exp_a': 'fresh', 'user_values@exp_a': 'stale', 'variant_totals@exp_a': 'stale',
      'stg_events@exp_b': 'fresh', 'user_values@exp_b': 'stale', 'variant_totals@exp_b': 'stale',
      'filtered@-': 'ephemeral', 'all_totals@-': 'stale',
    });
  });

  it('a change to an ephemeral model makes the models that inline it stale', async () => {
    const stored = recorded(planMini(project));
    p.write('models/core/filtered.sql', '/*--- materialized: ephemeral ---*/\nselect * from {{ref "user_values"}} where value > 0\n');
    const r = reasons(planMini(await loadProject('configs/dev.yaml', p.root), { stored }));
    expect(r['user_values@exp_a']).toBe('fresh');
    expect(r['variant_totals@exp_a']).toBe('stale');
    expect(r['variant_totals@exp_b']).toBe('stale');
  });

  it('changing a build setting (materialisation) makes the model stale', async () => {
    const stored = recorded(planMini(project));
    p.write('models/marts/all_totals.sql', p.read('models/marts/all_totals.sql').replace('materialized: table', 'materialized: view'));
    const r = reasons(planMini(await loadProject('configs/dev.yaml', p.root), { stored }));
    expect(r['all_totals@-']).toBe('stale');
    expect(r['variant_totals@exp_a']).toBe('fresh');
  });

  it('a changed var changes the rendered SQL and makes the model stale', async () => {
    const stored = recorded(planMini(project));
    p.write('configs/dev.yaml', p.read('configs/dev.yaml').replace('min_value: 0', 'min_value: 1'));
    const r = reasons(planMini(await loadProject('configs/dev.yaml', p.root), { stored }));
    expect(r['stg_events@exp_a']).toBe('fresh');
    expect(r['user_values@exp_a']).toBe('stale');
  });

  it('changing a description, columns or tags (properties YAML) does not make anything stale', async () => {
    const stored = recorded(planMini(project));
    p.write('models/core/user_values.yml', [
      'description: A rewritten description',
      'columns:',
      '  - name: user_id',
      '    description: who',
      '  - name: value',
      '    description: the summed value',
      'tests: [{ not_null: user_id }]',
      '',
    ].join('\n'));
    const changed = await loadProject('configs/dev.yaml', p.root);
    expect(changed.dag.nodes.get('user_values')!.properties.description).toBe('A rewritten description');
    expect(planMini(changed, { stored }).filter((s) => s.action === 'build')).toEqual([]);
  });

  it('an input snapshot change makes the source-reading model and its descendants stale in that partition only', () => {
    const stored = recorded(planMini(project));
    const r = reasons(planMini(project, { stored, inputs: { exp_a: 'snapshot-exp_a-v2' } }));
    expect(r).toMatchObject({
      'stg_events@exp_a': 'stale', 'user_values@exp_a': 'stale', 'variant_totals@exp_a': 'stale',
      'stg_events@exp_b': 'fresh', 'user_values@exp_b': 'fresh', 'variant_totals@exp_b': 'fresh',
      'all_totals@-': 'stale',
    });
  });

  it('a partition never built is new while a built one stays fresh', () => {
    const stored = recorded(planMini(project, { experiments: ['exp_a'] }));
    const r = reasons(planMini(project, { stored }));
    expect(r['stg_events@exp_a']).toBe('fresh');
    expect(r['stg_events@exp_b']).toBe('new');
  });

  it('only the selected models get steps', () => {
    const steps = planMini(project, { models: ['stg_events'] });
    expect(summary(steps)).toEqual(['exp_a stg_events build new', 'exp_b stg_events build new']);
  });
});

describe('fingerprints', () => {
  const base = { sql: 'select 1', settings: { materialized: 'partitioned' }, inputs: 'abc', parents: ['p1'] };
  it('change with SQL, settings, inputs and parents', () => {
    const fp = modelFingerprint(base);
    expect(modelFingerprint({ ...base })).toBe(fp);
    expect(modelFingerprint({ ...base, sql: 'select 2' })).not.toBe(fp);
    expect(modelFingerprint({ ...base, settings: { materialized: 'table' } })).not.toBe(fp);
    expect(modelFingerprint({ ...base, inputs: 'abd' })).not.toBe(fp);
    expect(modelFingerprint({ ...base, parents: ['p2'] })).not.toBe(fp);
    // parts are delimited: moving text between them changes the hash
    expect(modelFingerprint({ ...base, sql: 'select 1a', inputs: 'bc' })).not.toBe(fp);
  });

  it('a snapshot hash ignores listing order but not size or etag', () => {
    const a = { key: 'e/x/a.parquet', size: 10, etag: '"1"' };
    const b = { key: 'e/x/b.parquet', size: 20, etag: '"2"' };
    expect(snapshotHash([a, b])).toBe(snapshotHash([b, a]));
    expect(snapshotHash([a, { ...b, size: 21 }])).not.toBe(snapshotHash([a, b]));
    expect(snapshotHash([a, { ...b, etag: '"3"' }])).not.toBe(snapshotHash([a, b]));
    expect(snapshotHash([a])).not.toBe(snapshotHash([a, b]));
  });
});

describe('describeStep', () => {
  it('prints one line per step for --dry-run', () => {
    const [first] = planMini(project);
    expect(describeStep(first!)).toBe('build exp_a stg_events [partitioned, ingest] new');
  });
});
