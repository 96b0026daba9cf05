/**
 * The placebo split: user u in replicate k gets the arm of
 *
 *   u_k = hash(xor(hash(user_id), hash(k))) / 2^64 ∈ [0, 1)
 *
 * against the configured shares, arms in the order [control, ...treatments]: arm i when
 * c_(i-1) <= u_k < c_i, c_i the cumulative shares. The comparison is made on the 64-bit
 * scale (h < floor(c_i · 2^64)), so no rounding of h to a double moves a user.
 *
 * Why not `hash(k, user_id)`: DuckDB combines the hashes of several arguments (or of a
 * struct's fields) as f(hash(k)) XOR hash(user_id), so the top bits of every replicate are
 * those of hash(user_id) flipped by a constant: with a 50/50 split every replicate is the
 * same partition or its mirror. Hashing the combined value again mixes all 64 bits
 * (tests/placebo/assignment.test.ts checks that two replicates agree on half the users).
 * The salts are the replicate numbers 1…K, so the first 100 replicates of K = 200 are the
 * replicates of K = 100; DuckDB's hash is stable within a DuckDB version.
 */
import type { Experiment } from '../project/types.ts';

export interface PlaceboArm {
  readonly variant: string;
  readonly share: number;
}

const SCALE = 2n ** 64n;

/** The arms in analysis order (control first) with their configured shares. */
export function placeboArms(experiment: Pick<Experiment, 'control' | 'treatments' | 'variants'>): PlaceboArm[] {
  return [experiment.control, ...experiment.treatments].map((variant) => ({ variant, share: experiment.variants[variant]! }));
}

/**
 * Upper bounds of the arms on the hash scale [0, 2^64): arm i holds h < bounds[i] (and
 * h >= bounds[i - 1]); the last bound is 2^64. Shares are normalised to sum to 1.
 */
export function armBounds(shares: readonly number[]): bigint[] {
  if (shares.length < 2 || shares.some((s) => !(s > 0) || !Number.isFinite(s))) throw new RangeError(`armBounds: shares ${shares.join(', ')} must be >= 2 positive numbers`);
  const total = shares.reduce((a, b) => a + b, 0);
  let cumulative = 0;
  return shares.map((s, i) => {
    cumulative += s;
    if (i === shares.length - 1) return SCALE;
    // 53 bits of the cumulative share, shifted to the 64-bit scale
    return BigInt(Math.floor((cumulative / total) * 2 ** 53)) << 11n;
  });
}

/** The arm of a 64-bit hash value: the first arm whose bound exceeds it. */
export function armOf(h: bigint, bounds: readonly bigint[]): number {
  if (h < 0n || h >= SCALE) throw new RangeError(`armOf: ${h} is not a 64-bit unsigned value`);
  return bounds.findIndex((b) => h < b);
}

/** The unit value u_k as a UBIGINT (the numerator of u_k / 2^64), from the per-user hash column. */
export function placeboHashSql(userHash: string, replicate: string): string {
  return `hash(xor(${userHash}, hash(${replicate})))`;
}

/** SQL that is true when a 64-bit hash column falls in arm i: bounds[i - 1] <= h < bounds[i]. */
export function inArmSql(hashColumn: string, bounds: readonly bigint[], i: number): string {
  const conditions = [
    ...(i > 0 ? [`${hashColumn} >= ${bounds[i - 1]}::ubigint`] : []),
    ...(i < bounds.length - 1 ? [`${hashColumn} < ${bounds[i]}::ubigint`] : []),
  ];
  return conditions.length ? conditions.join(' and ') : 'true';
}

/** The arm the most users fall in: its statistics are the totals minus the other arms'. */
export function largestArm(arms: readonly PlaceboArm[]): number {
  return arms.reduce((best, a, i) => (a.share > arms[best]!.share ? i : best), 0);
}
