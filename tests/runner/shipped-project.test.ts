/**
 * The shipped project end to end (temp copy of configs/models/macros/analyses, small
 * populations): the three experiments build with `--generate-synth`; a rebuild builds
 * nothing and a full refresh reproduces every partition exactly; generation is
 * deterministic across projects, so a second warehouse holds identical partitions.
 */
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shippedProject, SHIPPED_EXPERIMENTS } from '../helpers/shipped.ts';
import { xp, type CliResult } from '../helpers/cli.ts';
import { partitionHash, withDb } from '../helpers/warehouse.ts';
import type { TempProject } from '../helpers/project.ts';
import { loadProject } from '../../src/runner/load-project.ts';

const SKIP_ANALYSES = ['--skip-ab', '--skip-cuped', '--skip-did', '--skip-pretrends', '--skip-sequential', '--skip-srm', '--skip-decision', '--skip-memo'];

interface Snapshot {
  readonly hashes: Record<string, string>;
}

/**
 * Exact content hashes of every partition. The metric aggregates sum doubles over
 * DECIMAL (macros/exact_sum.sql), so every table is bit-identical across builds.
 */
async function snapshot(p: TempProject): Promise<Snapshot> {
  const tables = await partitionedModels(p);
  const hashes = await withDb(p.file('target/warehouse.duckdb'), async (db) => {
    const out: Record<string, string> = {};
    for (const t of tables) {
      for (const id of SHIPPED_EXPERIMENTS) {
        const h = await partitionHash(db, t, id);
        out[`${t}@${id}`] = `${h.n}:${h.hash}`;
      }
    }
    return out;
  });
  return { hashes };
}

function expectSameContent(actual: Snapshot, expected: Snapshot): void {
  expect(actual.hashes).toEqual(expected.hashes);
}

/** The project's partitioned models: the tables a build writes per experiment. */
async function partitionedModels(p: TempProject): Promise<string[]> {
  const { dag } = await loadProject('configs/dev.yaml', p.root);
  return dag.order.filter((m) => dag.nodes.get(m)!.materialized === 'partitioned');
}

function rawFileHashes(p: TempProject): Record<string, string> {
  const root = p.file('data/raw/exp_platform');
  const walk = (dir: string): string[] => readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]);
  return Object.fromEntries(walk(root).map((f) => [path.relative(root, f), createHash('md5').update(readFileSync(f)).digest('hex')]));
}

let p: TempProject;
let first: CliResult;
let before: Snapshot;
beforeAll(async () => {
  p = shippedProject({ nUsers: 2000 });
  first = await xp(p.root, 'build', '--select', 'all', '--generate-synth');
  before = await snapshot(p);
});
afterAll(() => p.remove());

describe('the shipped project', () => {
  it('builds the three shipped experiments: models, analyses and memo', async () => {
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/: [1-9]\d* built, 0 up to date, \d+ skipped, 0 failed$/m);
    const tables = await partitionedModels(p);
    expect(tables).toEqual(expect.arrayContaining(['exposures', 'outcomes', 'metric_aggregates_overall', 'metric_aggregates_daily', 'srm_counts', 'dq_results']));
    // the slices are empty where an experiment configures no dimensions (only exp_pricing_test_003 does)
    const sliced = (k: string): boolean => /^(user_dimensions|slice_aggregates)@/.test(k) && !k.endsWith('@exp_pricing_test_003');
    for (const [k, h] of Object.entries(before.hashes)) expect(h, k).toMatch(sliced(k) ? /^0:/ : /^[1-9]\d*:/);
    const results = await withDb(p.file('target/warehouse.duckdb'), (db) =>
      db.all<{ experiment_id: string; n: number }>('select experiment_id, count(*) as n from exp.analysis_results group by all order by all'));
    expect(results.map((r) => r.experiment_id)).toEqual([...SHIPPED_EXPERIMENTS].sort());
    const variants = await withDb(p.file('target/warehouse.duckdb'), (db) =>
      db.all<{ n: number }>("select count(*) as n from exp.experiment_variants where experiment_id = 'exp_add_cart_002'"));
    expect(variants).toEqual([{ n: 3 }]);
    // run_results.json says how long each model's data tests took as audits of its new rows
    const run = JSON.parse(readFileSync(p.file('target/run_results.json'), 'utf8')) as { results: { node: string; auditSeconds?: number }[] };
    const audited = run.results.filter((r) => r.node === 'exposures');
    expect(audited).toHaveLength(SHIPPED_EXPERIMENTS.length);
    for (const r of audited) expect(r.auditSeconds).toBeGreaterThan(0);
    expect(run.results.filter((r) => r.node.startsWith('analysis:') && r.auditSeconds !== undefined)).toEqual([]);
  });

  it('a second build, regenerating the same data, builds nothing', async () => {
    const r = await xp(p.root, 'build', '--select', 'all', '--generate-synth');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('plan: 0 to build,');
    expect(r.stdout).toMatch(/: 0 built, [1-9]\d* up to date, \d+ skipped, 0 failed$/m);
    expectSameContent(await snapshot(p), before);
  });

  it('a full refresh reproduces every partition exactly', async () => {
    const r = await xp(p.root, 'build', '--select', 'all', '--full-refresh', ...SKIP_ANALYSES);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/: [1-9]\d* built, 0 up to date, \d+ skipped, 0 failed$/m);
    expectSameContent(await snapshot(p), before);
  });

  it('generation is deterministic: another project generates identical files and builds identical partitions', async () => {
    const q = shippedProject({ nUsers: 2000 });
    try {
      const gen = await xp(q.root, 'generate', '--experiment-id', 'all');
      expect(gen.code).toBe(0);
      expect(rawFileHashes(q)).toEqual(rawFileHashes(p));
      expect(Object.keys(rawFileHashes(q)).sort()).toEqual(SHIPPED_EXPERIMENTS.flatMap((id) => [`${id}/exposures/part-0.parquet`, `${id}/outcomes/part-0.parquet`]).sort());
      const b = await xp(q.root, 'build', '--select', 'all', ...SKIP_ANALYSES);
      expect(b.code).toBe(0);
      expectSameContent(await snapshot(q), before);
    } finally {
      q.remove();
    }
  });

  it('another seed gives other data', async () => {
    const q = shippedProject({ nUsers: 2000 });
    try {
      q.write('configs/dev.yaml', q.read('configs/dev.yaml').replace(/seed: 51\b/, 'seed: 52'));
      expect(q.read('configs/dev.yaml')).toContain('seed: 52');
      expect((await xp(q.root, 'generate', '--experiment-id', 'exp_checkout_button_001')).code).toBe(0);
      const mine = rawFileHashes(q);
      const theirs = rawFileHashes(p);
      expect(mine['exp_checkout_button_001/exposures/part-0.parquet']).not.toBe(theirs['exp_checkout_button_001/exposures/part-0.parquet']);
    } finally {
      q.remove();
    }
  });
});
