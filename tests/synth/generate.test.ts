import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb, type Db } from '../../src/engine/connection.ts';
import { experimentSchema } from '../../src/project/config-schema.ts';
import type { Experiment } from '../../src/project/types.ts';
import { generateExperimentData, generatedFilesFor, plantedTruth, synthPlan } from '../../src/synth/index.ts';

/** A resolved experiment as the config loader would return it. */
function experiment(id: string, overrides: Record<string, unknown> = {}, synth: Record<string, unknown> = {}): Experiment {
  const config = experimentSchema.parse({
    name: id,
    variants: { control: 0.5, treatment: 0.5 },
    primary_metric: 'conversion',
    start: '2026-03-02',
    days: 14,
    pre_period_days: 14,
    ...overrides,
    synth: { seed: 7, n_users: 20_000, ...synth },
  });
  const names = Object.keys(config.variants);
  const control = config.control ?? names[0]!;
  return {
    ...config,
    id,
    control,
    treatments: names.filter((n) => n !== control),
    metricNames: [config.primary_metric],
    file: 'test.yaml',
    line: 1,
  };
}

const md5 = (file: string): string => createHash('md5').update(readFileSync(file)).digest('hex');

let root: string;
let db: Db;
beforeAll(async () => {
  root = mkdtempSync(path.join(tmpdir(), 'xp-synth-'));
  db = await openDb(':memory:');
});
afterAll(() => {
  db.close();
  rmSync(root, { recursive: true, force: true });
});

let dirCount = 0;
async function generate(exp: Experiment): Promise<{ experiment: Experiment; dir: string; exposures: string; outcomes: string; rows: { exposures: number; outcomes: number } }> {
  const dir = path.join(root, `${exp.id}-${dirCount++}`);
  const result = await generateExperimentData(db, exp, dir);
  const files = generatedFilesFor(dir);
  expect(result.files).toEqual([files.exposures, files.outcomes]);
  return { experiment: exp, dir, ...files, rows: { exposures: result.exposures, outcomes: result.outcomes } };
}

async function one<T>(sql: string): Promise<T> {
  const rows = await db.all(sql);
  return rows[0] as T;
}

describe('generateExperimentData: files', () => {
  it('writes one Parquet file per table with the raw contract schema and no temporary files', async () => {
    const g = await generate(experiment('exp_schema'));
    expect(readdirSync(path.dirname(g.exposures))).toEqual(['part-0.parquet']);
    expect(readdirSync(path.dirname(g.outcomes))).toEqual(['part-0.parquet']);
    expect(await db.columns(`select * from read_parquet('${g.exposures}')`)).toEqual([
      { name: 'experiment_id', type: 'VARCHAR' },
      { name: 'user_id', type: 'VARCHAR' },
      { name: 'variant', type: 'VARCHAR' },
      { name: 'exposed_at', type: 'TIMESTAMP' },
      { name: 'platform', type: 'VARCHAR' },
      { name: 'country', type: 'VARCHAR' },
    ]);
    expect(await db.columns(`select * from read_parquet('${g.outcomes}')`)).toEqual([
      { name: 'experiment_id', type: 'VARCHAR' },
      { name: 'user_id', type: 'VARCHAR' },
      { name: 'event', type: 'VARCHAR' },
      { name: 'value', type: 'DOUBLE' },
      { name: 'occurred_at', type: 'TIMESTAMP' },
    ]);
    const counted = await one<{ e: number; o: number }>(
      `select (select count(*) from read_parquet('${g.exposures}')) as e, (select count(*) from read_parquet('${g.outcomes}')) as o`,
    );
    expect(counted).toEqual({ e: g.rows.exposures, o: g.rows.outcomes });
    const ids = await db.all(`select distinct experiment_id from read_parquet(['${g.exposures}', '${g.outcomes}'], union_by_name = true)`);
    expect(ids).toEqual([{ experiment_id: 'exp_schema' }]);
  });

  it('is byte-identical for the same experiment id and seed, and differs for another seed or id', async () => {
    const a = await generate(experiment('exp_det'));
    const b = await generate(experiment('exp_det'));
    const otherSeed = await generate(experiment('exp_det', {}, { seed: 8 }));
    const otherId = await generate(experiment('exp_det_2'));
    expect(md5(a.exposures)).toBe(md5(b.exposures));
    expect(md5(a.outcomes)).toBe(md5(b.outcomes));
    expect(md5(otherSeed.exposures)).not.toBe(md5(a.exposures));
    expect(md5(otherSeed.outcomes)).not.toBe(md5(a.outcomes));
    const differs = await one<{ n: number }>(
      `select count(*) as n from (select user_id, variant from read_parquet('${a.exposures}') except select user_id, variant from read_parquet('${otherId.exposures}'))`,
    );
    expect(differs.n).toBeGreaterThan(1000);
  });

  it('gives the same bytes whatever the thread count', async () => {
    const exp = experiment('exp_threads', {}, { n_users: 150_000, duplicate_rate: 0.01 });
    const hashes: string[][] = [];
    for (const threads of ['1', '3']) {
      const local = await openDb(':memory:', { settings: { threads } });
      try {
        const dir = path.join(root, `threads-${threads}`);
        const result = await generateExperimentData(local, exp, dir);
        hashes.push(result.files.map(md5));
      } finally {
        local.close();
      }
    }
    expect(hashes[0]).toEqual(hashes[1]);
  });

  it('leaves nothing behind when generation fails, and names an experiment without synth', async () => {
    const dir = path.join(root, 'failing');
    const exp = experiment('exp_fail');
    const { synth: _drop, ...noSynth } = exp;
    await expect(generateExperimentData(db, noSynth as Experiment, dir)).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
    expect(existsSync(dir)).toBe(false);
  });
});

describe('generateExperimentData: shape of the data', () => {
  let g: Awaited<ReturnType<typeof generate>>;
  beforeAll(async () => {
    g = await generate(
      experiment('exp_shape', { variants: { control: 0.34, widget_a: 0.33, widget_b: 0.33 } }, {
        n_users: 60_000,
        exposure_rate: 0.8,
        base_conversion: 0.1,
        effect_lift_conversion: 0.5,
        revenue_mean: 20,
        revenue_sd: 4,
      }),
    );
  });

  it('exposes the configured share of users, split by the configured shares, inside the window', async () => {
    const users = await db.all<{ variant: string; n: number; first: string; last: string }>(
      `select variant, count(distinct user_id) as n, min(exposed_at)::varchar as first, max(exposed_at)::varchar as last
       from read_parquet('${g.exposures}') group by variant order by variant`,
    );
    const total = users.reduce((s, r) => s + r.n, 0);
    expect(total / 60_000).toBeCloseTo(0.8, 1);
    const share = Object.fromEntries(users.map((r) => [r.variant, r.n / total]));
    expect(share['control']).toBeCloseTo(0.34, 1);
    expect(share['widget_a']).toBeCloseTo(0.33, 1);
    expect(share['widget_b']).toBeCloseTo(0.33, 1);
    for (const r of users) {
      expect(r.first >= '2026-03-02').toBe(true);
      expect(r.last < '2026-03-16').toBe(true);
    }
    // exposure days are uniform: every day gets about 1/14 of the first exposures
    const days = await db.all<{ n: number }>(
      `select count(*) as n from (select user_id, min(exposed_at) as first_at from read_parquet('${g.exposures}') group by user_id) group by cast(first_at as date)`,
    );
    expect(days).toHaveLength(14);
    for (const d of days) expect(d.n / total).toBeGreaterThan(0.06);
  });

  it('has about events_per_user events per exposed user, within the pre and post windows', async () => {
    const r = await one<{ per_user: number; pre_min: string; post_max: string; values_ok: boolean; kinds: string[] }>(
      `with x as (select distinct user_id from read_parquet('${g.exposures}'))
       select count(*) / (select count(*) from x) as per_user,
              min(occurred_at)::varchar as pre_min, max(occurred_at)::varchar as post_max,
              bool_and((event = 'purchase') = (value is not null)) as values_ok,
              list_sort(list_distinct(list(event))) as kinds
       from read_parquet('${g.outcomes}') join x using (user_id)`,
    );
    expect(r.per_user).toBeGreaterThan(2.7);
    expect(r.per_user).toBeLessThan(3.3);
    expect(r.pre_min >= '2026-02-16').toBe(true);
    expect(r.post_max < '2026-03-16').toBe(true);
    expect(r.values_ok).toBe(true);
    expect(r.kinds).toEqual(['bounce', 'page_view', 'purchase']);
  });

  it('post events follow the exposure; unexposed users have no pre-period events', async () => {
    const r = await one<{ before_exposure: number; unexposed_pre: number }>(
      `with x as (select user_id, min(exposed_at) as at from read_parquet('${g.exposures}') group by user_id)
       select count(*) filter (where x.at is not null and o.occurred_at >= '2026-03-02' and o.occurred_at < x.at) as before_exposure,
              count(*) filter (where x.at is null and o.occurred_at < '2026-03-02') as unexposed_pre
       from read_parquet('${g.outcomes}') o left join x using (user_id)`,
    );
    expect(r).toEqual({ before_exposure: 0, unexposed_pre: 0 });
  });

  it('plants the truth plantedTruth reports: conversion lift in every treatment, revenue per user unchanged (its lift is 0), order value down by 1/1.5', async () => {
    const rows = await db.all<{ variant: string; users: number; conversion: number; revenue: number; order_value: number; sd: number; bounce: number; views: number; viewed: number }>(
      `with x as (select user_id, min(variant) as variant, min(exposed_at) as at from read_parquet('${g.exposures}') group by user_id),
       per_user as (
         select x.user_id, x.variant,
                count(o.user_id) filter (where o.event = 'purchase') as purchases,
                coalesce(sum(o.value) filter (where o.event = 'purchase'), 0) as revenue,
                count(o.user_id) filter (where o.event = 'bounce') as bounces,
                count(o.user_id) filter (where o.event = 'page_view') as views
         from x left join read_parquet('${g.outcomes}') o on o.user_id = x.user_id and o.occurred_at >= x.at
         group by x.user_id, x.variant),
       orders as (select x.variant, o.value from x join read_parquet('${g.outcomes}') o on o.user_id = x.user_id and o.occurred_at >= x.at where o.event = 'purchase')
       select p.variant, count(*) as users, avg((purchases > 0)::int) as conversion, avg(revenue) as revenue, avg((bounces > 0)::int) as bounce,
              avg(views) as views, avg((views > 0)::int) as viewed,
              (select avg(value) from orders where orders.variant = p.variant) as order_value,
              (select stddev(value) from orders where orders.variant = p.variant) as sd
       from per_user p group by p.variant order by p.variant`,
    );
    const truth = plantedTruth(g.experiment, {
      conversion: { type: 'binomial', event: 'purchase' },
      revenue: { type: 'mean', event: 'purchase', value: 'value' },
      order_value: { type: 'ratio', numerator: { event: 'purchase', value: 'value' }, denominator: { event: 'purchase' } },
      bounce: { type: 'binomial', event: 'bounce' },
      views: { type: 'mean', event: 'page_view' },
      viewed: { type: 'binomial', event: 'page_view' },
    });
    const truthOf = (metric: string, variant: string): number => {
      const m = truth.metrics.find((x) => x.metric === metric);
      if (m?.status !== 'ok') throw new Error(metric);
      return variant === m.control.variant ? m.control.value : m.treatments.find((t) => t.variant === variant)!.value;
    };
    expect(rows.map((r) => r.variant)).toEqual(['control', 'widget_a', 'widget_b']);
    for (const r of rows) {
      // about 16,000 users per arm; each bound is about 3.5 standard errors
      const sd = (p: number): number => Math.sqrt((p * (1 - p)) / r.users);
      expect(Math.abs(r.conversion - truthOf('conversion', r.variant)), r.variant).toBeLessThan(3.5 * sd(truthOf('conversion', r.variant)));
      expect(Math.abs(r.bounce - truthOf('bounce', r.variant)), r.variant).toBeLessThan(3.5 * sd(0.3));
      expect(Math.abs(r.viewed - truthOf('viewed', r.variant)), r.variant).toBeLessThan(3.5 * sd(truthOf('viewed', r.variant)));
      // revenue per user: per-user sd about 7.8
      expect(Math.abs(r.revenue - truthOf('revenue', r.variant)), r.variant).toBeLessThan(3.5 * (7.8 / Math.sqrt(r.users)));
      expect(Math.abs(r.views - truthOf('views', r.variant)), r.variant).toBeLessThan(0.05);
      // order value: lognormal with the configured coefficient of variation (4 / 20) in every arm
      const orderValue = truthOf('order_value', r.variant);
      expect(Math.abs(r.order_value - orderValue), r.variant).toBeLessThan(0.02 * orderValue);
      expect(Math.abs(r.sd / r.order_value - 0.2), r.variant).toBeLessThan(0.02);
    }
    expect(truthOf('conversion', 'widget_a') / truthOf('conversion', 'control')).toBeCloseTo(1.5, 12);
    expect(truthOf('revenue', 'widget_b')).toBeCloseTo(truthOf('revenue', 'control'), 12);
    expect(truthOf('order_value', 'widget_a')).toBeCloseTo(20 / 1.5, 12);
  });

  it('correlates conversion (not bouncing) between the pre and the post period, as CUPED needs', async () => {
    const r = await one<{ conversion: number; bounce: number }>(
      `with x as (select user_id, min(exposed_at) as at from read_parquet('${g.exposures}') group by user_id),
       per_user as (
         select x.user_id,
                max((o.event = 'purchase' and o.occurred_at >= x.at)::int) as conv_post, max((o.event = 'purchase' and o.occurred_at < '2026-03-02')::int) as conv_pre,
                max((o.event = 'bounce' and o.occurred_at >= x.at)::int) as bounce_post, max((o.event = 'bounce' and o.occurred_at < '2026-03-02')::int) as bounce_pre
         from x left join read_parquet('${g.outcomes}') o using (user_id) group by x.user_id)
       select corr(conv_pre, conv_post) as conversion, corr(bounce_pre, bounce_post) as bounce from per_user`,
    );
    // phi of the threshold model (src/synth/model.ts): 0.249 for conversion at 0.1 (the treatments' 0.15 dilutes it a little), 0.058 for bouncing at 0.3
    expect(r.conversion).toBeGreaterThan(0.18);
    expect(r.conversion).toBeLessThan(0.3);
    expect(r.bounce).toBeGreaterThan(0.03);
    expect(r.bounce).toBeLessThan(0.09);
  });

  it('correlates each user\'s pre-period behaviour with the post period (a working CUPED covariate)', async () => {
    const r = await one<{ corr: number }>(
      `with x as (select user_id from read_parquet('${g.exposures}') group by user_id),
       per_user as (
         select x.user_id,
                count(o.user_id) filter (where o.occurred_at >= '2026-03-02') as post,
                count(o.user_id) filter (where o.occurred_at < '2026-03-02') as pre
         from x left join read_parquet('${g.outcomes}') o using (user_id) group by x.user_id)
       select corr(pre, post) as corr from per_user`,
    );
    expect(r.corr).toBeGreaterThan(0.2);
  });

  it('has no faults when no fault knob is set', async () => {
    const r = await one<{ dup_e: number; dup_o: number; nulls: number; late: number; multi: number }>(
      `select
         (select count(*) - (select count(*) from (select distinct * from read_parquet('${g.exposures}'))) from read_parquet('${g.exposures}')) as dup_e,
         (select count(*) - (select count(*) from (select distinct * from read_parquet('${g.outcomes}'))) from read_parquet('${g.outcomes}')) as dup_o,
         (select count(*) from read_parquet(['${g.exposures}', '${g.outcomes}'], union_by_name = true) where user_id is null) as nulls,
         (select count(*) from read_parquet('${g.outcomes}') where occurred_at >= '2026-03-16') as late,
         (select count(*) from (select user_id from read_parquet('${g.exposures}') group by user_id having count(distinct variant) > 1)) as multi`,
    );
    expect(r).toEqual({ dup_e: 0, dup_o: 0, nulls: 0, late: 0, multi: 0 });
  });
});

describe('generateExperimentData: faults', () => {
  let g: Awaited<ReturnType<typeof generate>>;
  beforeAll(async () => {
    g = await generate(
      experiment('exp_faults', {}, {
        n_users: 80_000,
        srm_skew: 0.05,
        duplicate_rate: 0.02,
        missing_key_rate: 0.01,
        late_event_rate: 0.03,
        pretrend_drift: 0.5,
        multi_variant_rate: 0.02,
      }),
    );
  });

  const dupShare = (file: string): string =>
    `select 1 - (select count(*) from (select distinct * from read_parquet('${file}'))) / count(*) as share from read_parquet('${file}')`;

  it('duplicate_rate duplicates that share of rows exactly, in both tables', async () => {
    for (const file of [g.exposures, g.outcomes]) {
      const { share } = await one<{ share: number }>(dupShare(file));
      // duplicated rows / all rows = rate / (1 + rate)
      expect(share).toBeGreaterThan(0.016);
      expect(share).toBeLessThan(0.024);
    }
  });

  it('missing_key_rate nulls that share of user ids in both tables', async () => {
    for (const file of [g.exposures, g.outcomes]) {
      const { share } = await one<{ share: number }>(`select avg((user_id is null)::int) as share from read_parquet('${file}')`);
      expect(share).toBeGreaterThan(0.008);
      expect(share).toBeLessThan(0.012);
    }
  });

  it('late_event_rate puts that share of events after the window end', async () => {
    const { share, latest } = await one<{ share: number; latest: string }>(
      `select avg((occurred_at >= '2026-03-16')::int) as share, max(occurred_at)::varchar as latest from read_parquet('${g.outcomes}')`,
    );
    expect(share).toBeGreaterThan(0.027);
    expect(share).toBeLessThan(0.033);
    expect(latest < '2026-03-19').toBe(true);
  });

  it('multi_variant_rate exposes that share of users to a second variant', async () => {
    const { share } = await one<{ share: number }>(
      `select avg((n > 1)::int) as share from (select user_id, count(distinct variant) as n from read_parquet('${g.exposures}') where user_id is not null group by user_id)`,
    );
    expect(share).toBeGreaterThan(0.016);
    expect(share).toBeLessThan(0.024);
  });

  it('srm_skew moves allocation from control to the first treatment', async () => {
    const { control } = await one<{ control: number }>(
      `select avg((variant = 'control')::int) as control from (select user_id, arg_min(variant, exposed_at) as variant from read_parquet('${g.exposures}') where user_id is not null group by user_id)`,
    );
    expect(control).toBeGreaterThan(0.44);
    expect(control).toBeLessThan(0.46);
  });

  it('pretrend_drift makes treatment pre-period activity rise over the pre days, not control\'s', async () => {
    const rows = await db.all<{ variant: string; ratio: number }>(
      `with x as (select user_id, arg_min(variant, exposed_at) as variant from read_parquet('${g.exposures}') where user_id is not null group by user_id)
       select variant,
              count(*) filter (where occurred_at < '2026-02-23') / count(*) filter (where occurred_at >= '2026-02-23' and occurred_at < '2026-03-02') as ratio
       from read_parquet('${g.outcomes}') join x using (user_id) group by variant order by variant`,
    );
    const ratio = Object.fromEntries(rows.map((r) => [r.variant, r.ratio]));
    expect(ratio['control']).toBeGreaterThan(0.95);
    expect(ratio['control']).toBeLessThan(1.05);
    // keep probability rises from 0.5 to 1: first week ≈ 0.625, second ≈ 0.875
    expect(ratio['treatment']).toBeGreaterThan(0.65);
    expect(ratio['treatment']).toBeLessThan(0.78);
  });
});

describe('synthPlan', () => {
  it('applies synth.variants overrides and the SRM skew, normalised to 1', () => {
    const plan = synthPlan(experiment('exp_plan', { variants: { control: 0.5, a: 0.25, b: 0.25 } }, { variants: { a: 0.35, b: 0.15 }, srm_skew: 0.1 }));
    expect(plan.variants.map((v) => [v.name, +v.share.toFixed(6), v.isTreatment])).toEqual([
      ['control', 0.4, false],
      ['a', 0.45, true],
      ['b', 0.15, true],
    ]);
    expect(plan.variants.at(-1)!.upper).toBe(1);
  });

  it('defaults days and pre-period days to the experiment and derives the window in microseconds', () => {
    const plan = synthPlan(experiment('exp_days', { days: 10, pre_period_days: 7 }, { days: 4 }));
    expect(plan.days).toBe(4);
    expect(plan.prePeriodDays).toBe(7);
    expect(plan.startUs).toBe(BigInt(Date.parse('2026-03-02T00:00:00Z')) * 1000n);
    expect(plan.dataEndUs - plan.startUs).toBe(4n * 86_400_000_000n);
    expect(plan.experimentEndUs - plan.startUs).toBe(10n * 86_400_000_000n);
    expect(plan.startUs - plan.preStartUs).toBe(7n * 86_400_000_000n);
  });

  it('keys the randomness on both the experiment id and the seed', () => {
    const a = synthPlan(experiment('exp_a')).key;
    expect(synthPlan(experiment('exp_a')).key).toBe(a);
    expect(synthPlan(experiment('exp_b')).key).not.toBe(a);
    expect(synthPlan(experiment('exp_a', {}, { seed: 8 })).key).not.toBe(a);
  });
});

describe('generateExperimentData: dimensions', () => {
  it('gives each user one platform and country at the configured shares, and platform_srm drops only that platform\'s control exposures', async () => {
    const plain = await generate(experiment('exp_dims'));
    const skewed = await generate(experiment('exp_dims', {}, { platform_srm: { platform: 'ios', control_loss_rate: 0.2 } }));
    const per = await one<{ multi: number }>(`select count(*)::integer as multi from (select user_id from read_parquet('${plain.exposures}') group by user_id having count(distinct platform) > 1 or count(distinct country) > 1)`);
    expect(per.multi).toBe(0);
    const shares = await db.all<{ platform: string; share: number }>(`select platform, count(*) / sum(count(*)) over () as share from (select distinct user_id, platform from read_parquet('${plain.exposures}')) group by 1 order by 1`);
    // 20,000 users × 0.9 exposed: a share's binomial sd is below 0.004, so ±0.02 is over 5 sd
    expect(shares.map((r) => r.platform)).toEqual(['android', 'ios', 'web']);
    for (const [p, want] of [['android', 0.4], ['ios', 0.45], ['web', 0.15]] as const) expect(Math.abs(shares.find((r) => r.platform === p)!.share - want)).toBeLessThan(0.02);
    // the skewed file is the plain one minus some ios control rows: every other row identical
    const cols = 'experiment_id, user_id, variant, exposed_at, platform, country';
    const extra = await one<{ n: number }>(`select count(*)::integer as n from (select ${cols} from read_parquet('${skewed.exposures}') except all select ${cols} from read_parquet('${plain.exposures}'))`);
    expect(extra.n).toBe(0);
    const dropped = await db.all<{ platform: string; variant: string; n: number }>(`select platform, variant, count(*)::integer as n from (select ${cols} from read_parquet('${plain.exposures}') except all select ${cols} from read_parquet('${skewed.exposures}')) group by all`);
    expect(dropped.map((d) => `${d.platform}/${d.variant}`)).toEqual(['ios/control']);
    expect(dropped[0]!.n).toBeGreaterThan(500);
  });
});
