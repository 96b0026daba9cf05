/**
 * `xp aa` on the shipped project (temp copy, 2,000 synthetic users, exp_checkout_button_001
 * built once): the report, its determinism, a warehouse left untouched, statistics that
 * are the pipeline's own for the placebo split, and exit 2 for unknown or unbuilt
 * experiments.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { xp, type CliResult } from '../helpers/cli.ts';
import { shippedProject } from '../helpers/shipped.ts';
import type { TempProject } from '../helpers/project.ts';
import { partitionHash, withDb } from '../helpers/warehouse.ts';
import { loadProject } from '../../src/runner/load-project.ts';
import { ephemeralRelations } from '../../src/data-tests/ephemeral.ts';
import { armBounds, largestArm, placeboArms, placeboHashSql } from '../../src/placebo/assignment.ts';
import { armCaseSql } from './support.ts';
import { replicateAggregates, stageRows } from '../../src/placebo/sufficient-stats.ts';
import { QUANTITIES } from '../../src/placebo/sql.ts';
import type { AaResult } from '../../src/placebo/run-aa.ts';

const ID = 'exp_checkout_button_001';
const METRICS = ['conversion', 'revenue', 'revenue_per_order', 'revenue_buyers_capped', 'bounce_rate'];

let p: TempProject;
let build: CliResult;
const warehouse = (): string => p.file('target/warehouse.duckdb');
const fileHash = (f: string): string => createHash('md5').update(readFileSync(f)).digest('hex');

beforeAll(async () => {
  p = shippedProject();
  build = await xp(p.root, 'build', '--select', ID, '--generate-synth');
});
afterAll(() => p.remove());

describe('xp aa', () => {
  it('reports one line per metric and the rate of every decision code', async () => {
    expect(build.code, build.stderr).toBe(0);
    const table = await xp(p.root, 'aa', ID, '--k', '100');
    const json = await xp(p.root, 'aa', ID, '--k', '100', '--format', 'json');
    const r = JSON.parse(json.stdout) as AaResult;
    expect(table.stderr).toBe('');
    // exit 1 exactly when some rate is outside its band
    expect(table.code).toBe(r.ok ? 0 : 1);
    expect(json.code).toBe(table.code);
    expect(table.stdout).toContain(`placebo calibration of ${ID}: 100 re-randomisations of ${r.users.toLocaleString('en-US')} users (control 50% / treatment 50%), alpha 0.05`);
    const lines = table.stdout.split('\n');
    const header = lines.find((l) => l.startsWith('metric '))!;
    expect(header.split(/\s{2,}/)).toEqual(['metric', 'role', 'estimator', 'FPR', '95% CI', 'FPR band (99%)', 'z mean', 'z var', 'z var band (99%)', 'n/e', 'check']);
    for (const m of METRICS) {
      const line = lines.filter((l) => l.startsWith(`${m} `));
      expect(line, m).toHaveLength(1);
      expect(line[0]).toMatch(/^\S+\s+(primary|secondary|guardrail)\s+(cuped|raw)\s+\d\.\d{3}\s+\[\d\.\d{3}, \d\.\d{3}\]\s+\[0\.000, 0\.110\]\s+-?\d\.\d{3}\s+\d\.\d{3}\s+\[0\.672, 1\.404\]\s+\d+\s+(ok|FAIL)$/);
    }
    expect(r.metrics.map((m) => m.metric)).toEqual(METRICS);
    expect(r.not_calibrated).toEqual(['revenue_p95']);
    expect(table.stdout).toContain('not calibrated (quantile metrics: no per-replicate order statistics): revenue_p95');
    for (const m of r.metrics) {
      expect(m.replicates + m.not_estimable).toBe(100);
      expect(m.false_positive_rate).toBe(m.false_positives / m.replicates);
      expect(m.false_positive_ci![0]).toBeLessThanOrEqual(m.false_positive_rate!);
      expect(m.false_positive_ci![1]).toBeGreaterThanOrEqual(m.false_positive_rate!);
      expect(Number.isFinite(m.z_mean)).toBe(true);
      expect(m.z_variance).toBeGreaterThan(0);
    }
    expect(r.decisions.map((d) => d.decision)).toEqual(['ship', 'dont-ship', 'keep-running', 'no-detectable-effect', 'investigate']);
    expect(r.decisions.reduce((a, d) => a + d.count, 0)).toBe(100);
    expect(r.decisions.reduce((a, d) => a + d.rate, 0)).toBeCloseTo(1, 12);
    for (const d of r.decisions) expect(lines.some((l) => new RegExp(`^${d.decision}\\s+${d.rate.toFixed(3)}\\s+${d.count}$`).test(l)), d.decision).toBe(true);
    // No effect exists between placebo arms: the false-positive count of a calibrated test
    // is Binomial(100, 0.05), whose central 99% band is 0…11 (scipy.stats.binom), i.e. a
    // rate of at most 0.11; 0.12 leaves one replicate of slack.
    const conversion = r.metrics.find((m) => m.metric === 'conversion')!;
    expect(conversion.false_positive_rate).toBeGreaterThanOrEqual(0);
    expect(conversion.false_positive_rate).toBeLessThanOrEqual(0.12);
  });

  it('is deterministic: the same output twice', async () => {
    const a = await xp(p.root, 'aa', ID, '--k', '100');
    const b = await xp(p.root, 'aa', ID, '--k', '100');
    expect(b.stdout).toBe(a.stdout);
    expect(b.code).toBe(a.code);
  });

  it('leaves the warehouse as it was: partitions, fingerprints and the file itself', async () => {
    const read = () => withDb(warehouse(), async (db) => ({
      analysis: await partitionHash(db, 'analysis_results', ID),
      aggregates: await partitionHash(db, 'metric_aggregates_overall', ID),
      fingerprints: await db.all('select model, experiment_id, fingerprint from xp.partitions order by all'),
    }));
    const before = await read();
    const bytes = fileHash(warehouse());
    expect(before.analysis.n).toBeGreaterThan(0);
    const r = await xp(p.root, 'aa', ID, '--k', '100');
    expect([0, 1]).toContain(r.code);
    expect(await read()).toEqual(before);
    expect(fileHash(warehouse())).toBe(bytes);
  });

  it('sums each placebo arm exactly as the pipeline would: the observed split gives the stored aggregates, a replicate a plain GROUP BY', async () => {
    const project = await loadProject('configs/dev.yaml', p.root);
    const exp = project.config.experiments.find((e) => e.id === ID)!;
    const arms = placeboArms(exp);
    const relations = ephemeralRelations(project);
    const rel = await relations.relation('user_metrics', exp);
    if (!('relation' in rel)) throw new Error(rel.skip);
    const metrics = exp.metricNames.map((name) => ({ name, type: project.config.metrics[name]!.type }));
    // the same exact sums, written with the project's own macro
    const exact = (term: string): string => project.env.render(`{{#> exact_sum}}${term}{{/exact_sum}}`, {}, {
      partitioned: true, vars: {}, ref: () => { throw new Error('no refs'); }, source: () => { throw new Error('no sources'); },
    }, '<test>');
    const k = 7;
    const plain = `select variant_index, metric, count(*) as n, ${QUANTITIES.map((q) => `${exact(q.term)} as ${q.column}`).join(', ')}
      from (select *, ${armCaseSql(placeboHashSql('hash(user_id)', String(k)), armBounds(arms.map((a) => a.share)))} as variant_index from ${rel.relation})
      group by variant_index, metric`;
    await withDb(warehouse(), async (db) => {
      const staged = await stageRows(db, rel.relation, { experiment_id: ID }, metrics, arms.map((a) => a.variant));
      const skip = largestArm(arms);
      const observed = (await replicateAggregates(db, staged, { kind: 'observed' }, skip)).get(0)!;
      const stored = await db.all('select * exclude (experiment_id, value_cap, pre_value_cap, value_floor, pre_value_floor, pre_denominator_sum, pre_denominator_sum_squares, pre_numerator_denominator_sum, denominator_pre_denominator_sum, numerator_pre_denominator_sum, denominator_pre_numerator_sum, quantile_value, quantile_lower, quantile_upper) from exp.metric_aggregates_overall where experiment_id = $1', [ID]);
      expect(observed).toHaveLength(stored.length);
      // the replicate rows carry every OverallAggregate field; compare the sums both have
      for (const s of stored) {
        const o = observed.find((x) => x.variant === s['variant'] && x.metric === s['metric']) as unknown as Record<string, unknown>;
        expect(Object.fromEntries(Object.keys(s).map((k) => [k, o[k]]))).toEqual(s);
      }
      const replicate = (await replicateAggregates(db, staged, { kind: 'placebo', replicates: 10, bounds: armBounds(arms.map((a) => a.share)) }, skip)).get(k)!;
      const direct = await db.all(plain, { experiment_id: ID });
      expect(replicate.reduce((a, r) => a + r.n, 0)).toBe(staged.users * metrics.length);
      for (const d of direct) {
        const mine = replicate.find((r) => r.metric === d['metric'] && r.variant === arms[Number(d['variant_index'])]!.variant)!;
        for (const q of ['n', ...QUANTITIES.filter((x) => mine.metric_type === 'ratio' || !x.column.includes('denominator')).map((x) => x.column)] as const) {
          expect(mine[q as keyof typeof mine], `${mine.metric} ${mine.variant} ${q}`).toBe(d[q]);
        }
      }
    });
    await relations.close();
  });

  it.each([
    ['an unknown experiment', ['aa', 'exp_nope_999'], /error\[EXPERIMENT_UNKNOWN\].*unknown experiment "exp_nope_999"\n {2}hint: configured experiments: /],
    ['a configured experiment that was never built', ['aa', 'exp_add_cart_002'], /error\[USAGE\] experiment exp_add_cart_002: experiment exp_add_cart_002 is not built: the warehouse holds none of its partitions\n {2}hint: build it first: xp build --select exp_add_cart_002/],
    ['a replicate count that is not a number', ['aa', ID, '--k', 'many'], /error\[USAGE\]: --k "many": expected a whole number of replicates/],
    ['too few replicates', ['aa', ID, '--k', '1'], /error\[USAGE\]: --k 1: expected a whole number of replicates from 2 to 100000/],
  ])('exits 2 for %s', async (_, argv, message) => {
    const r = await xp(p.root, ...argv);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(message);
  });

  it('exits 2 without a warehouse', async () => {
    const q = shippedProject();
    try {
      const r = await xp(q.root, 'aa', ID);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(new RegExp(`error\\[USAGE\\] experiment ${ID}: experiment ${ID} is not built: no warehouse at .*warehouse\\.duckdb\n {2}hint: build it first: xp build --select ${ID}`));
    } finally {
      q.remove();
    }
  });

  it('exits 2 when the models or config changed since the build (the placebo would calibrate another analysis)', async () => {
    const config = p.read('configs/dev.yaml');
    try {
      p.write('configs/dev.yaml', config.replace('cap_quantile: 0.99', 'cap_quantile: 0.95'));
      const r = await xp(p.root, 'aa', ID, '--k', '10');
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`the stored build of ${ID} does not match its current models and config (metric_aggregates_overall revenue × control: sum differs)`);
      expect(r.stderr).toContain(`hint: build it first: xp build --select ${ID}`);
    } finally {
      p.write('configs/dev.yaml', config);
    }
  });
});
