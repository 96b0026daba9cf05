/**
 * Issue 16's analyses end to end on the shipped project (exp_checkout_button_001, a temp copy
 * with 3,000 users): the SQL's quantiles, winsorisation bounds and ratio-CUPED sums against
 * the same quantities computed here from the built per-user outcomes, and the plugins'
 * rows against the statistics functions over those aggregates; the memo says how each
 * metric was analysed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ratioCupedStats, overallRow } from '../../src/analyses/lib/aggregates.ts';
import { normalPosterior, quantileTest, ratioCupedTest } from '../../src/stats/index.ts';
import { xp } from '../helpers/cli.ts';
import type { TempProject } from '../helpers/project.ts';
import { shippedProject } from '../helpers/shipped.ts';
import { rows } from '../helpers/warehouse.ts';

const ID = 'exp_checkout_button_001';
let p: TempProject;
type R = Record<string, unknown>;
const q = (sql: string) => rows<R>(p.file('target/warehouse.duckdb'), sql);

/** Each exposed user's post-period purchase revenue and count, and pre-period ones, by arm. */
async function users(): Promise<{ variant: string; x: number; y: number; xp: number; yp: number }[]> {
  const r = await q(`
    select e.variant,
      coalesce(sum(o.value) filter (where o.period = 'post'), 0)::double as x, (count(o.event) filter (where o.period = 'post'))::double as y,
      coalesce(sum(o.value) filter (where o.period = 'pre'), 0)::double as xp, (count(o.event) filter (where o.period = 'pre'))::double as yp
    from exp.exposures e left join exp.outcomes o on o.experiment_id = e.experiment_id and o.user_id = e.user_id and o.event = 'purchase'
    where e.experiment_id = '${ID}' group by e.variant, e.user_id`);
  return r.map((u) => ({ variant: String(u['variant']), x: Number(u['x']), y: Number(u['y']), xp: Number(u['xp']), yp: Number(u['yp']) }));
}

/** Linear-interpolation quantile (DuckDB quantile_cont, numpy's default). */
function quantileCont(xs: readonly number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  const h = (s.length - 1) * p;
  const lo = Math.floor(h);
  return s[lo]! + (h - lo) * ((s[Math.min(lo + 1, s.length - 1)] ?? s[lo]!) - s[lo]!);
}

const aggregate = async (metric: string) => (await q(`select * exclude (experiment_id) from exp.metric_aggregates_overall where experiment_id = '${ID}' and metric = '${metric}' order by variant`)).map(overallRow);
const result = async (table: string, metric: string) => (await q(`select * from exp.${table} where experiment_id = '${ID}' and metric = '${metric}'`))[0]!;

beforeAll(async () => {
  p = shippedProject({ nUsers: 3000 });
  const r = await xp(p.root, 'build', '--select', ID, '--generate-synth');
  expect(r.code, r.stderr).toBe(0);
}, 120_000);
afterAll(() => p.remove());

describe('quantile metric revenue_p95', () => {
  it('each arm: x_(ceil(n nu)) and the order statistics at nu -/+ 1.96 sqrt(nu (1 - nu) / n) of users\' revenue', async () => {
    const us = await users();
    for (const a of await aggregate('revenue_p95')) {
      const s = us.filter((u) => u.variant === a.variant).map((u) => u.x).sort((x, y) => x - y);
      const n = s.length;
      const at = (pr: number) => s[Math.max(1, Math.ceil(n * pr)) - 1]!;
      const half = 1.959963984540054 * Math.sqrt((0.95 * 0.05) / n);
      expect(a.n).toBe(n);
      expect(a.quantile_value).toBe(at(0.95));
      expect(a.quantile_lower).toBe(at(0.95 - half));
      expect(a.quantile_upper).toBe(at(0.95 + half));
    }
  });
  it('analysis_results is quantileTest over those statistics', async () => {
    const [c, t] = await aggregate('revenue_p95');
    const arm = (a: typeof c) => ({ n: a!.n, nu: 0.95, quantile: a!.quantile_value!, lower: a!.quantile_lower!, upper: a!.quantile_upper! });
    const expected = quantileTest(arm(c), arm(t), { alpha: 0.05, difference: 'absolute' });
    if (expected.status !== 'ok') throw new Error(expected.detail);
    expect(await result('analysis_results', 'revenue_p95')).toMatchObject({ status: 'ok', test: 'quantile-order-statistic', absolute_lift: expected.estimate, absolute_se: expected.se, p_value: expected.pValue });
  });
});

describe('winsorised metric revenue_buyers_capped (1st-99th percentile of buyers, N(0, 5%) prior)', () => {
  it('bounds among users with revenue, pooled over arms; users without revenue stay 0', async () => {
    const us = await users();
    const buyers = us.filter((u) => u.x !== 0).map((u) => u.x);
    const floor = quantileCont(buyers, 0.01);
    const cap = quantileCont(buyers, 0.99);
    const aggs = await aggregate('revenue_buyers_capped');
    const raw = await q(`select variant, value_floor, value_cap from exp.metric_aggregates_overall where experiment_id = '${ID}' and metric = 'revenue_buyers_capped' order by variant`);
    for (const [i, a] of aggs.entries()) {
      expect(Number(raw[i]!['value_floor'])).toBeCloseTo(floor, 9);
      expect(Number(raw[i]!['value_cap'])).toBeCloseTo(cap, 9);
      const held = us.filter((u) => u.variant === a.variant).map((u) => (u.x === 0 ? 0 : Math.min(Math.max(u.x, floor), cap)));
      expect(a.sum).toBeCloseTo(held.reduce((s, v) => s + v, 0), 6);
    }
  });
  it('the prior shrinks the Bayesian read-out: posterior = normalPosterior(likelihood)', async () => {
    const r = await result('analysis_results', 'revenue_buyers_capped');
    const lik = Number(r['likelihood_lift']);
    expect(r['prior_mean']).toBe(0);
    expect(r['prior_sd']).toBe(0.05);
    expect(lik).toBe(r['relative_lift']);
    const se = Number(r['relative_se']);
    const post = normalPosterior(lik, se * se, { kind: 'normal', mean: 0, variance: 0.05 ** 2 });
    expect(Number(r['posterior_lift'])).toBeCloseTo(post.mean, 12);
    expect(Math.abs(post.mean)).toBeLessThan(Math.abs(lik));
  });
});

describe('ratio CUPED on revenue_per_order', () => {
  it('the pre-period denominator and cross sums equal the sums over users', async () => {
    const us = await users();
    for (const a of await aggregate('revenue_per_order')) {
      const arm = us.filter((u) => u.variant === a.variant);
      const sum = (f: (u: (typeof arm)[number]) => number) => arm.reduce((s, u) => s + f(u), 0);
      expect(a.pre_denominator_sum).toBeCloseTo(sum((u) => u.yp), 6);
      expect(a.pre_denominator_sum_squares).toBeCloseTo(sum((u) => u.yp * u.yp), 6);
      expect(a.pre_numerator_denominator_sum).toBeCloseTo(sum((u) => u.xp * u.yp), 6);
      expect(a.denominator_pre_denominator_sum).toBeCloseTo(sum((u) => u.y * u.yp), 6);
      expect(a.numerator_pre_denominator_sum).toBeCloseTo(sum((u) => u.x * u.yp), 6);
      expect(a.denominator_pre_numerator_sum).toBeCloseTo(sum((u) => u.y * u.xp), 6);
    }
  });
  it('analysis_results_cuped has a ratio row from ratioCupedTest (no longer RATIO_METRIC)', async () => {
    const [c, t] = await aggregate('revenue_per_order');
    const r = ratioCupedTest(ratioCupedStats(c!), ratioCupedStats(t!), { alpha: 0.05, difference: 'absolute' });
    if (r.status !== 'ok') throw new Error(r.detail);
    const row = await result('analysis_results_cuped', 'revenue_per_order');
    expect(row['reason']).not.toBe('RATIO_METRIC');
    expect(Number(row['theta'])).toBeCloseTo(r.theta, 12);
    expect(Number(row['variance_reduction'])).toBeCloseTo(r.varianceReduction, 12);
  });
});

describe('the memo', () => {
  it('says how each new metric was analysed', () => {
    const memo = p.read(`target/memos/${ID}.md`);
    expect(memo).toMatch(/`revenue_p95` \(p95 of value per user\): .* — the p95 of users' values in each arm .*GrowthBook's quantile test/);
    expect(memo).toMatch(/`revenue_buyers_capped` .* — winsorised: each user's value held between [\d.]+ \(the 1st percentile of users with a nonzero value\) and [\d.]+ \(the 99th percentile of users with a nonzero value\), pooled across arms; users without a value stay 0; a normal prior on the relative lift, mean 0\.0% and sd 5\.0%/);
    expect(memo).toMatch(/`revenue` \(per user\): .* — winsorised: each user's value held at most [\d.]+ \(the 99th percentile of all exposed users\)/);
  });
});

describe('winsorisation by value (cap: { lower_value, upper_value }), from the config alone', () => {
  let v: TempProject;
  beforeAll(async () => {
    v = shippedProject({ nUsers: 1500 });
    const config = v.read('configs/dev.yaml');
    const edited = config.replace('    cap: { lower_quantile: 0.01, upper_quantile: 0.99 }\n    cap_nonzero: true\n', '    cap: { lower_value: 2, upper_value: 20 }\n');
    expect(edited).not.toBe(config);
    v.write('configs/dev.yaml', edited);
    const r = await xp(v.root, 'build', '--select', ID, '--generate-synth');
    expect(r.code, r.stderr).toBe(0);
  }, 120_000);
  afterAll(() => v.remove());

  it('every user\'s value is held to [2, 20], users without revenue included (no cap_nonzero)', async () => {
    const file = v.file('target/warehouse.duckdb');
    const us = await rows<R>(file, `
      select e.variant, coalesce(sum(o.value) filter (where o.period = 'post'), 0)::double as x
      from exp.exposures e left join exp.outcomes o on o.experiment_id = e.experiment_id and o.user_id = e.user_id and o.event = 'purchase'
      where e.experiment_id = '${ID}' group by e.variant, e.user_id`);
    const aggs = await rows<R>(file, `select variant, sum, value_floor, value_cap from exp.metric_aggregates_overall where experiment_id = '${ID}' and metric = 'revenue_buyers_capped'`);
    expect(aggs).toHaveLength(2);
    for (const a of aggs) {
      expect(a['value_floor']).toBe(2);
      expect(a['value_cap']).toBe(20);
      const held = us.filter((u) => u['variant'] === a['variant']).map((u) => Math.min(Math.max(Number(u['x']), 2), 20));
      expect(Number(a['sum'])).toBeCloseTo(held.reduce((s, x) => s + x, 0), 6);
    }
    expect(v.read(`target/memos/${ID}.md`)).toContain("winsorised: each user's value held between 2.000 (a fixed bound) and 20.00 (a fixed bound)");
  });
});
