/**
 * Counter-based random streams, in SQL and mirrored in JS. A draw is
 *
 *   uniform(key, tag) = (H(H(key XOR salt(tag))) >> 11 + 1/2) / 2^53
 *
 * where `key` names one user (or one event, or one exposure row) of one replicate and
 * `salt(tag)` one kind of draw. Keys form a tree of SplitMix64 streams (Steele, Lea & Flood
 * 2014, "Fast splittable pseudorandom number generators", OOPSLA): the root is mix64 of
 * (experiment id, seed) (plan.ts), and child i of a key is mix64(key + (i + 1)·gamma), the
 * i-th output of a SplitMix64 generator seeded with the key, one odd gamma per kind of
 * child. mix64 is SplitMix64's output function (Stafford's Mix13 constants, as in Vigna's
 * splitmix64.c): a bijection of 64-bit integers with full avalanche, so every key is
 * unrelated to its neighbours, across users, events and seeds alike. Each key is mixed once;
 * the many draws per key use DuckDB's hash() of a single UBIGINT twice (H, a 64-bit
 * xorshift-multiply finaliser, duckdb/common/types/hash.hpp), seven times cheaper than
 * mix64 in SQL (which needs UHUGEINT arithmetic: UBIGINT overflow raises), over a key
 * that is already uniformly random and a full-width salt per tag.
 *
 * Not used: DuckDB's multi-argument hash(a, b), which xors mixed a with hashed b, so
 * hash(key, i) is a per-seed constant xor a function of i, and a seed that only enters by
 * an xor leaves each replicate's streams a fixed transformation of every other's.
 */

const MASK = (1n << 64n) - 1n;
/** 2^64 / golden ratio, odd: SplitMix64's default gamma */
export const GOLDEN_GAMMA = 0x9e3779b97f4a7c15n;

/** SplitMix64's output function over 64-bit unsigned integers. */
export function mix64(x: bigint): bigint {
  let z = x & MASK;
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK;
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK;
  return z ^ (z >> 31n);
}

/** An odd gamma per kind of child key (a SplitMix64 output, forced odd). */
function gammaOf(kind: number): bigint {
  return mix64(BigInt(kind) * GOLDEN_GAMMA) | 1n;
}

/** Gammas of the child streams: users of a replicate, events of a user, exposure rows of a user. */
export const Gamma = {
  user: GOLDEN_GAMMA,
  event: gammaOf(1),
  exposureRow: gammaOf(2),
} as const;

/** salt(tag): a full-width constant per kind of draw, so tags 1 and 2 differ in ~32 bits, not 2. */
export function saltOf(tag: number): bigint {
  return mix64((BigInt(tag) + 1n) * GOLDEN_GAMMA);
}

const u64 = (x: bigint): string => `${x & MASK}::ubigint`;

function mulSql(x: string, c: bigint): string {
  return `((${x})::uhugeint * ${c}::uhugeint & ${MASK}::uhugeint)::ubigint`;
}

/**
 * mix64 in SQL over a UBIGINT expression. The argument appears eight times in the text, so
 * pass a column or a cheap expression, never another mix.
 */
export function mix64Sql(x: string): string {
  const a = `xor(${x}, (${x}) >> 30)`;
  const b = mulSql(a, 0xbf58476d1ce4e5b9n);
  const c = `xor(${b}, ${b} >> 27)`;
  const d = mulSql(c, 0x94d049bb133111ebn);
  return `xor(${d}, ${d} >> 31)`;
}

/** The pre-mix state of child `index` (a non-negative integer expression) of `parent`: parent + (index + 1)·gamma mod 2^64. */
export function childStateSql(parent: string, index: string, gamma: bigint): string {
  return `((${parent})::uhugeint + ((${index})::uhugeint + 1) * ${gamma}::uhugeint & ${MASK}::uhugeint)::ubigint`;
}

/** JS mirror of mix64Sql(childStateSql(parent, index, gamma)). */
export function childKey(parent: bigint, index: bigint, gamma: bigint): bigint {
  return mix64((parent & MASK) + (index + 1n) * gamma);
}

/** DuckDB's hash() of one UBIGINT (MurmurHash64 in duckdb/common/types/hash.hpp, DuckDB 1.1 to 1.5). */
export function duckdbHash(x: bigint): bigint {
  let z = x & MASK;
  z ^= z >> 32n;
  z = (z * 0xd6e8feb86659fd93n) & MASK;
  z ^= z >> 32n;
  z = (z * 0xd6e8feb86659fd93n) & MASK;
  return z ^ (z >> 32n);
}

/** Uniform in (0, 1) from the top 53 bits: never exactly 0 or 1, so ln stays finite. */
export function uniformSql(key: string, tag: number): string {
  return `((hash(hash(xor(${key}, ${u64(saltOf(tag))}))) >> 11)::double + 0.5) / 9007199254740992.0`;
}

/** JS mirror of uniformSql. */
export function uniform(key: bigint, tag: number): number {
  return (Number(duckdbHash(duckdbHash(key ^ saltOf(tag))) >> 11n) + 0.5) / 9007199254740992;
}

/** Standard normal by Box–Muller (Box & Muller 1958) from two independent uniforms, cosine branch. */
export function normalSql(key: string, tagA: number, tagB: number): string {
  return `(sqrt(-2 * ln(${uniformSql(key, tagA)})) * cos(2 * pi() * ${uniformSql(key, tagB)}))`;
}
