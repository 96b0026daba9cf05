/**
 * The placebo split: the mapping of a 64-bit hash to an arm respects the configured
 * shares (pure), and the SQL expression does too on DuckDB, with replicates that are
 * independent of each other (the trap: DuckDB's multi-argument hash(k, user_id) gives
 * every replicate the same 50/50 partition or its mirror).
 */
import { describe, expect, it } from 'vitest';
import { openDb } from '../../src/engine/connection.ts';
import { armBounds, armOf, inArmSql, largestArm, placeboArms, placeboHashSql } from '../../src/placebo/assignment.ts';
import { armCaseSql } from './support.ts';

const USERS = 10_000;

/** splitmix64 (Steele, Lea & Flood 2014): a deterministic stream of uniform 64-bit values. */
function* splitmix64(seed: bigint): Generator<bigint> {
  const mask = (1n << 64n) - 1n;
  let x = seed & mask;
  for (;;) {
    x = (x + 0x9e3779b97f4a7c15n) & mask;
    let z = x;
    z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & mask;
    z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & mask;
    yield z ^ (z >> 31n);
  }
}

/**
 * The share of n users in an arm of share s has sd sqrt(s(1 − s)/n) (0.005 at s = 0.5,
 * n = 10,000); 4.5 sd bounds a deterministic test's chance of a false alarm by 1e-5 per check.
 */
const withinMc = (observed: number, share: number, n: number): boolean => Math.abs(observed - share) <= 4.5 * Math.sqrt((share * (1 - share)) / n);

describe('armBounds / armOf (pure)', () => {
  it('maps the hash scale to the arms in order, the last bound at 2^64', () => {
    const b = armBounds([0.5, 0.5]);
    expect(b).toEqual([2n ** 63n, 2n ** 64n]);
    expect(armOf(0n, b)).toBe(0);
    expect(armOf(2n ** 63n - 1n, b)).toBe(0);
    expect(armOf(2n ** 63n, b)).toBe(1);
    expect(armOf(2n ** 64n - 1n, b)).toBe(1);
    expect(() => armOf(2n ** 64n, b)).toThrow(RangeError);
    expect(armBounds([1, 1, 2])).toEqual([2n ** 62n, 2n ** 63n, 2n ** 64n]);
  });

  it.each([
    [[0.5, 0.5]],
    [[0.34, 0.33, 0.33]],
    [[0.1, 0.9]],
    [[0.2, 0.3, 0.5]],
  ])('respects the shares %j within Monte Carlo error over 10,000 users', (shares) => {
    const bounds = armBounds(shares);
    const counts = shares.map(() => 0);
    const gen = splitmix64(20260105n);
    for (let i = 0; i < USERS; i++) counts[armOf(gen.next().value as bigint, bounds)]!++;
    expect(counts.reduce((a, b) => a + b, 0)).toBe(USERS);
    shares.forEach((s, i) => expect(withinMc(counts[i]! / USERS, s, USERS), `arm ${i}: ${counts[i]} of ${USERS} for share ${s}`).toBe(true));
  });

  it('orders the arms control first and picks the largest share to derive from the totals', () => {
    const arms = placeboArms({ control: 'control', treatments: ['widget_a', 'widget_b'], variants: { widget_a: 0.33, control: 0.34, widget_b: 0.33 } });
    expect(arms).toEqual([{ variant: 'control', share: 0.34 }, { variant: 'widget_a', share: 0.33 }, { variant: 'widget_b', share: 0.33 }]);
    expect(largestArm(arms)).toBe(0);
    expect(largestArm([{ variant: 'c', share: 0.2 }, { variant: 't', share: 0.8 }])).toBe(1);
  });
});

describe('the placebo arm in SQL (DuckDB in memory)', () => {
  const shares = [0.2, 0.3, 0.5];
  const sql = (replicates: number) => {
    const bounds = armBounds(shares);
    return `
    with users as (select 'u' || lpad(i::varchar, 5, '0') as user_id from range(${USERS}) t(i)),
    hashed as (select user_id, hash(user_id) as user_hash from users),
    drawn as (
      select user_id, replicates.replicate, ${placeboHashSql('user_hash', 'replicates.replicate')} as placebo_hash
      from hashed cross join range(1, ${replicates + 1}) as replicates(replicate)
    )
    select user_id, replicate, placebo_hash::varchar as h, ${armCaseSql('placebo_hash', bounds)} as arm,
      [${shares.map((_, i) => inArmSql('placebo_hash', bounds, i)).join(', ')}] as in_arm
    from drawn`;
  };

  it('respects the shares in every replicate; the CASE, the range predicates and armOf agree', async () => {
    const db = await openDb(':memory:');
    try {
      const rows = await db.all<{ user_id: string; replicate: number; h: string; arm: number; in_arm: boolean[] }>(sql(5));
      const bounds = armBounds(shares);
      for (const r of rows) {
        expect(r.arm).toBe(armOf(BigInt(r.h), bounds));
        expect(r.in_arm).toEqual(shares.map((_, i) => i === r.arm));
      }
      for (let k = 1; k <= 5; k++) {
        const arms = rows.filter((r) => r.replicate === k).map((r) => r.arm);
        expect(arms).toHaveLength(USERS);
        shares.forEach((s, i) => expect(withinMc(arms.filter((a) => a === i).length / USERS, s, USERS), `replicate ${k} arm ${i}`).toBe(true));
      }
    } finally {
      db.close();
    }
  });

  it('draws replicates independently: two 50/50 replicates agree on half the users', async () => {
    const db = await openDb(':memory:');
    try {
      const [r] = await db.all<{ agree: number; n: number }>(`
        with users as (select hash('u' || i) as user_hash from range(${USERS}) t(i)),
        arms as (
          select ${armCaseSql(placeboHashSql('user_hash', '1'), armBounds([0.5, 0.5]))} as a1,
                 ${armCaseSql(placeboHashSql('user_hash', '2'), armBounds([0.5, 0.5]))} as a2
          from users
        )
        select avg((a1 = a2)::int) as agree, count(*) as n from arms`);
      expect(r!.n).toBe(USERS);
      // agreement ~ Binomial(10,000, 1/2) / 10,000: sd 0.005 (a shared partition would give 0 or 1)
      expect(withinMc(r!.agree, 0.5, USERS)).toBe(true);
    } finally {
      db.close();
    }
  });
});
