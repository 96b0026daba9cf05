/**
 * The generator's portfolio knobs: `user_offset` renames users (u<i + offset>) and changes
 * no draw; `interaction` changes the post-period purchases of exactly the treatment users
 * whom the partner exposed to the named variant, and of no one else.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb, type Db } from '../../src/engine/connection.ts';
import { experimentSchema } from '../../src/project/config-schema.ts';
import type { Experiment } from '../../src/project/types.ts';
import { generateExperimentData } from '../../src/synth/index.ts';

function experiment(id: string, synth: Record<string, unknown>): Experiment {
  const config = experimentSchema.parse({
    name: id, variants: { control: 0.5, treatment: 0.5 }, primary_metric: 'conversion', start: '2026-03-02', days: 14,
    synth: { seed: 7, n_users: 4000, exposure_rate: 0.8, base_conversion: 0.2, effect_lift_conversion: 0.5, ...synth },
  });
  return { ...config, id, control: 'control', treatments: ['treatment'], metricNames: ['conversion'], file: 'test.yaml', line: 1 };
}

let root: string;
let db: Db;
beforeAll(async () => {
  root = mkdtempSync(path.join(tmpdir(), 'xp-synth-knobs-'));
  db = await openDb(':memory:');
});
afterAll(() => {
  db.close();
  rmSync(root, { recursive: true, force: true });
});

const q = (file: string): string => `read_parquet('${file.replaceAll("'", "''")}')`;

async function generate(e: Experiment, partner?: Experiment): Promise<string> {
  const dir = path.join(root, `${e.id}-${Math.random().toString(36).slice(2)}`);
  await generateExperimentData(db, e, dir, partner);
  return dir;
}

describe('synth portfolio knobs', () => {
  it('user_offset shifts the user ids and leaves every other value as it was', async () => {
    const plain = await generate(experiment('exp_k', {}));
    const shifted = await generate(experiment('exp_k', { user_offset: 20_000 }));
    const [diff] = await db.all<{ n: number; total: number }>(`
      with a as (select * exclude (user_id), cast(substr(user_id, 2) as int) + 20000 as uid from ${q(`${plain}/exposures/part-0.parquet`)}),
           b as (select * exclude (user_id), cast(substr(user_id, 2) as int) as uid from ${q(`${shifted}/exposures/part-0.parquet`)})
      select (select count(*) from (select * from a except all select * from b))::int as n, (select count(*) from a)::int as total`);
    expect(diff).toEqual({ n: 0, total: expect.any(Number) });
    expect(diff!.total).toBeGreaterThan(3000);
    const [ids] = await db.all<{ lo: string; hi: string }>(`select min(user_id) as lo, max(user_id) as hi from ${q(`${shifted}/exposures/part-0.parquet`)} where user_id is not null`);
    expect(ids!.lo >= 'u20000' && ids!.hi <= 'u23999').toBe(true);
  });

  it('interaction changes the purchases of treatment users in the partner\'s variant only', async () => {
    const partner = experiment('exp_p', { seed: 11 });
    const partnerDir = await generate(partner);
    const before = await generate(experiment('exp_k', {}));
    const after = await generate(experiment('exp_k', { interaction: { with: 'exp_p', variant: 'treatment', lift_conversion: -0.9 } }), partner);
    const purchases = (dir: string): string => `(select user_id, count(*) filter (where event = 'purchase') as n from ${q(`${dir}/outcomes/part-0.parquet`)} group by user_id)`;
    const rows = await db.all<{ variant: string; partner_variant: string | null; changed: number; users: number }>(`
      with k as (select distinct user_id, variant from ${q(`${before}/exposures/part-0.parquet`)}),
           p as (select distinct user_id, variant from ${q(`${partnerDir}/exposures/part-0.parquet`)}),
           b as ${purchases(before)}, a as ${purchases(after)}
      select k.variant, p.variant as partner_variant,
             count(*) filter (where coalesce(a.n, 0) <> coalesce(b.n, 0))::int as changed, count(*)::int as users
      from k left join p on p.user_id = k.user_id left join b on b.user_id = k.user_id left join a on a.user_id = k.user_id
      group by all order by all`);
    const changed = (v: string, pv: string | null): number => rows.find((r) => r.variant === v && r.partner_variant === pv)?.changed ?? -1;
    expect(changed('treatment', 'treatment')).toBeGreaterThan(50);
    expect(changed('treatment', 'control')).toBe(0);
    expect(changed('treatment', null)).toBe(0);
    expect(changed('control', 'treatment')).toBe(0);
    expect(changed('control', 'control')).toBe(0);
  });

  it('refuses to generate a planted interaction without its partner', async () => {
    await expect(generate(experiment('exp_k', { interaction: { with: 'exp_p', variant: 'treatment', lift_conversion: -0.5 } }))).rejects.toThrow(/synth.interaction.with "exp_p" is not an experiment with a synth: block/);
  });
});
