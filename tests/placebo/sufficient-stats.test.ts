/**
 * The one-pass placebo statistics against a plain GROUP BY with the project's exact_sum
 * macro, on a hand-made user_metrics relation in an in-memory DuckDB: three arms of
 * unequal shares (the largest derived from the totals), a 0/1 metric, a fractional mean
 * metric, a ratio metric, users without events, and the observed split.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { openDb } from '../../src/engine/connection.ts';
import { loadProject } from '../../src/runner/load-project.ts';
import type { Project } from '../../src/workspace/project.ts';
import { armBounds, largestArm, placeboHashSql } from '../../src/placebo/assignment.ts';
import { armCaseSql } from './support.ts';
import { QUANTITIES, type Assignment, type MetricRef } from '../../src/placebo/sql.ts';
import { replicateAggregates, stageRows } from '../../src/placebo/sufficient-stats.ts';
import { REPO_ROOT } from '../helpers/project.ts';

const ARMS = [{ variant: 'control', share: 0.2 }, { variant: 'a', share: 0.5 }, { variant: 'b', share: 0.3 }];
const METRICS: MetricRef[] = [{ name: 'converted', type: 'binomial' }, { name: 'spend', type: 'mean' }, { name: 'order_value', type: 'ratio' }];

/** 3,000 users, one row per user and metric, in user_metrics' columns; most users have no events. */
const USER_METRICS = `(
  with users as (
    select 'u' || i as user_id, i, ['control', 'a', 'b'][1 + i % 3] as variant,
      case when i % 4 = 0 then (i % 7) + 1 else 0 end as orders,
      case when i % 4 = 0 then ((i * 37) % 1000) / 7.0 else 0 end as spend,
      case when i % 5 = 0 then ((i * 11) % 300) / 3.0 else 0 end as pre_spend
    from range(3000) t(i)
  )
  select user_id, variant, 'converted' as metric, least(orders, 1)::double as value, (pre_spend > 0)::int::double as pre_value,
    null::double as numerator, null::double as denominator from users
  union all
  select user_id, variant, 'spend', spend::double, pre_spend::double, null, null from users
  union all
  select user_id, variant, 'order_value', spend::double, pre_spend::double, spend::double, orders::double from users
)`;

let project: Project;
beforeAll(async () => {
  project = await loadProject('configs/dev.yaml', REPO_ROOT);
});

/** The sums as models/metrics/metric_aggregates_overall.sql writes them, with its macro. */
function plainSql(arm: string): string {
  const exact = (term: string): string => project.env.render(`{{#> exact_sum}}${term}{{/exact_sum}}`, {}, {
    partitioned: false, vars: {}, ref: () => { throw new Error('no refs'); }, source: () => { throw new Error('no sources'); },
  }, '<test>');
  return `select replicate, arm, metric, count(*) as n, ${QUANTITIES.map((q) => `${exact(q.term)} as ${q.column}`).join(', ')}
    from (
      select um.*, replicates.replicate, ${arm} as arm
      from (select *, hash(user_id) as user_hash from ${USER_METRICS}) as um
      cross join range(1, 6) as replicates(replicate)
    )
    group by replicate, arm, metric`;
}

describe('replicateAggregates', () => {
  it('gives every placebo arm the sums a plain GROUP BY gives, bit for bit', async () => {
    const db = await openDb(':memory:');
    try {
      const staged = await stageRows(db, USER_METRICS, {}, METRICS, ARMS.map((a) => a.variant));
      expect(staged.users).toBe(3000);
      // the 0/1 metric's squares are its sums; the ratio's denominator counts are integers
      expect(staged.profiles[0]![1]).toEqual({ present: true, integral: true, sameAs: 0 });
      expect(staged.profiles[1]![5]).toEqual({ present: false, integral: true, sameAs: null });
      expect(staged.profiles[2]![5]).toMatchObject({ present: true, integral: true });
      expect(staged.profiles[2]![0]).toMatchObject({ present: true, integral: false });
      const bounds = armBounds(ARMS.map((a) => a.share));
      const a: Assignment = { kind: 'placebo', replicates: 5, bounds };
      const mine = await replicateAggregates(db, staged, a, largestArm(ARMS));
      expect([...mine.keys()]).toEqual([1, 2, 3, 4, 5]);
      const plain = await db.all(plainSql(armCaseSql(placeboHashSql('um.user_hash', 'replicates.replicate'), bounds)));
      for (const [k, rows] of mine) {
        expect(rows).toHaveLength(ARMS.length * METRICS.length);
        for (const r of rows) {
          const p = plain.find((x) => x['replicate'] === k && x['metric'] === r.metric && ARMS[Number(x['arm'])]!.variant === r.variant)!;
          expect(r.n).toBe(p['n']);
          for (const q of QUANTITIES) {
            const expected = r.metric_type !== 'ratio' && q.column.includes('denominator') ? null : p[q.column];
            expect(r[q.column], `${k} ${r.metric} ${r.variant} ${q.column}`).toBe(expected);
          }
        }
        // the shares hold roughly: 3,000 users, sd of a share <= 0.0092
        const n = (v: string): number => rows.find((r) => r.metric === 'converted' && r.variant === v)!.n;
        for (const arm of ARMS) expect(Math.abs(n(arm.variant) / 3000 - arm.share)).toBeLessThan(0.05);
      }
    } finally {
      db.close();
    }
  });

  it('reproduces the observed split as replicate 0', async () => {
    const db = await openDb(':memory:');
    try {
      const staged = await stageRows(db, USER_METRICS, {}, METRICS, ARMS.map((a) => a.variant));
      const observed = (await replicateAggregates(db, staged, { kind: 'observed' }, largestArm(ARMS))).get(0)!;
      const plain = await db.all(plainSql(`case variant when 'control' then 0 when 'a' then 1 else 2 end`));
      for (const r of observed) {
        const p = plain.find((x) => x['replicate'] === 1 && x['metric'] === r.metric && ARMS[Number(x['arm'])]!.variant === r.variant)!;
        expect(r.n).toBe(1000);
        for (const q of QUANTITIES) {
          const expected = r.metric_type !== 'ratio' && q.column.includes('denominator') ? null : p[q.column];
          expect(r[q.column], `${r.metric} ${r.variant} ${q.column}`).toBe(expected);
        }
      }
    } finally {
      db.close();
    }
  });
});
