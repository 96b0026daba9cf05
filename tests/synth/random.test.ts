/**
 * The generator's random streams (src/synth/random.ts): the SQL and the JS mirror agree bit
 * for bit, mix64 is SplitMix64's output function, and draws of different tags, users and
 * seeds are uncorrelated.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb, type Db } from '../../src/engine/connection.ts';
import { rootKey } from '../../src/synth/plan.ts';
import { childKey, childStateSql, duckdbHash, Gamma, GOLDEN_GAMMA, mix64, mix64Sql, uniform, uniformSql } from '../../src/synth/random.ts';

let db: Db;
beforeAll(async () => {
  db = await openDb(':memory:');
});
afterAll(() => db.close());

describe('mix64', () => {
  it('is SplitMix64: the outputs of the generator seeded with 1234567 (Rosetta Code, "Pseudo-random numbers/Splitmix64")', () => {
    const outputs = [1n, 2n, 3n].map((k) => mix64(1234567n + k * GOLDEN_GAMMA));
    expect(outputs).toEqual([6457827717110365317n, 3203168211198807973n, 9817491932198370423n]);
    // seed 0: Vigna's splitmix64.c
    expect(mix64(GOLDEN_GAMMA)).toBe(0xe220a8397b1dcdafn);
  });

  it('gives the same bits in SQL as in JS, for keys, child keys and uniforms', async () => {
    const keys = [0n, 1n, 0x9e3779b97f4a7c15n, 18446744073709551615n, rootKey('exp_a', 7)];
    for (const k of keys) {
      const [row] = await db.all<{ m: string; c: string; u: number; h: string }>(
        `select ${mix64Sql(`${k}::ubigint`)}::varchar as m,
                ${mix64Sql(childStateSql(`${k}::ubigint`, '41', Gamma.event))}::varchar as c,
                ${uniformSql(`${k}::ubigint`, 7)} as u,
                hash(${k}::ubigint)::varchar as h`,
      );
      expect(row!.m).toBe(mix64(k).toString());
      expect(row!.c).toBe(childKey(k, 41n, Gamma.event).toString());
      // DuckDB's hash() of one UBIGINT is the finaliser the draws rely on (a DuckDB upgrade that changes it changes the data)
      expect(row!.h).toBe(duckdbHash(k).toString());
      expect(row!.u).toBe(uniform(k, 7));
    }
  });

  it('roots neighbouring seeds and ids at unrelated keys (about half the bits differ)', () => {
    const bitsDiffering = (a: bigint, b: bigint): number => (a ^ b).toString(2).replaceAll('0', '').length;
    for (let seed = 1; seed < 40; seed++) {
      expect(bitsDiffering(rootKey('exp_a', seed), rootKey('exp_a', seed + 1))).toBeGreaterThan(14);
      expect(bitsDiffering(rootKey('exp_a', seed), rootKey('exp_b', seed))).toBeGreaterThan(14);
    }
  });
});

describe('streams', () => {
  // 200 seeds x 5,000 users = 1e6 users: a correlation of independent draws has sd 1/sqrt(1e6) = 0.001
  const N_SEEDS = 200;
  const N_USERS = 5000;
  beforeAll(async () => {
    const roots = Array.from({ length: N_SEEDS }, (_, s) => `(${s}, ${rootKey('exp_streams', s + 1)}::ubigint)`).join(', ');
    await db.run(`create table roots as select * from (values ${roots}) as t(seed, root)`);
    await db.run(`create table users as
      select seed, i, ${mix64Sql('state')} as h
      from (select seed, i, ${childStateSql('root', 'i', Gamma.user)} as state from roots, range(${N_USERS}) as r(i))`);
  });

  it('draws uniforms: mean 1/2, variance 1/12, every decile about a tenth', async () => {
    const [r] = await db.all<{ m: number; v: number; worst: number }>(
      `with u as (select ${uniformSql('h', 10)} as u from users)
       select avg(u) as m, var_pop(u) as v,
              (select max(abs(n / ${N_SEEDS * N_USERS} - 0.1)) from (select count(*) as n from u group by floor(u * 10))) as worst
       from u`,
    );
    expect(Math.abs(r!.m - 0.5)).toBeLessThan(0.0015); // sd 0.29 / 1000
    expect(Math.abs(r!.v - 1 / 12)).toBeLessThan(0.0005);
    expect(r!.worst).toBeLessThan(0.0015); // sd of a decile share 0.0003
  });

  it('draws of different tags of one user are uncorrelated, and so are one user\'s draws in neighbouring seeds', async () => {
    const [r] = await db.all<{ arm_conv: number; arm_repeat: number; z1_z2: number; next_seed: number; next_user: number }>(
      `with u as (select seed, i, ${uniformSql('h', 2)} as arm, ${uniformSql('h', 10)} as conv, ${uniformSql('h', 12)} as rep,
                         ${uniformSql('h', 5)} as z1, ${uniformSql('h', 6)} as z2 from users)
       select corr(arm, conv) as arm_conv, corr(arm, rep) as arm_repeat, corr(z1, z2) as z1_z2,
              (select corr(a.conv, b.conv) from u a join u b on a.i = b.i and b.seed = a.seed + 1) as next_seed,
              (select corr(a.conv, b.conv) from u a join u b on a.seed = b.seed and b.i = a.i + 1) as next_user
       from u`,
    );
    // 5 sd of a correlation over 1e6 pairs
    for (const [name, c] of Object.entries(r!)) expect(Math.abs(c), name).toBeLessThan(0.005);
  });

  it('gives every event and exposure row its own key, unrelated to the user\'s draws', async () => {
    const [r] = await db.all<{ user_event: number; event_row: number; distinct_keys: number; n: number }>(
      `with k as (
         select ${uniformSql('h', 47)} as u_user,
                ${uniformSql(`(${mix64Sql('se')})`, 47)} as u_event,
                ${uniformSql(`(${mix64Sql('sr')})`, 47)} as u_row,
                ${mix64Sql('se')} as he, ${mix64Sql('sr')} as hr, h
         from (select h, ${childStateSql('h', '0', Gamma.event)} as se, ${childStateSql('h', '0', Gamma.exposureRow)} as sr from users))
       select corr(u_user, u_event) as user_event, corr(u_event, u_row) as event_row,
              (select count(distinct x) from (select h as x from k union all select he from k union all select hr from k)) as distinct_keys,
              count(*) as n
       from k`,
    );
    expect(Math.abs(r!.user_event)).toBeLessThan(0.005);
    expect(Math.abs(r!.event_row)).toBeLessThan(0.005);
    expect(r!.distinct_keys).toBe(3 * r!.n);
  });
});
