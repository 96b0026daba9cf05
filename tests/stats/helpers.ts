/**
 * Test helpers for the statistics module: a seeded PRNG (mulberry32 with Box-Muller normals),
 * committed-fixture loading and tolerance comparisons. Simulations are seeded, hence
 * deterministic; their tolerances are still stated in Monte-Carlo standard errors so that
 * they would hold for any seed.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

/** mulberry32 (Tommy Ettinger, public domain): a fast 32-bit PRNG with a 2^32 period. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Rng {
  uniform(): number;
  /** standard normal by the Box-Muller transform */
  normal(): number;
  bernoulli(p: number): number;
  binomial(n: number, p: number): number;
}

export function seededRng(seed: number): Rng {
  const next = mulberry32(seed);
  let spare: number | null = null;
  const uniform = (): number => {
    let u = next();
    while (u === 0) u = next();
    return u;
  };
  return {
    uniform,
    normal() {
      if (spare !== null) {
        const s = spare;
        spare = null;
        return s;
      }
      const r = Math.sqrt(-2 * Math.log(uniform()));
      const theta = 2 * Math.PI * next();
      spare = r * Math.sin(theta);
      return r * Math.cos(theta);
    },
    bernoulli(p) {
      return next() < p ? 1 : 0;
    },
    binomial(n, p) {
      let x = 0;
      for (let i = 0; i < n; i++) if (next() < p) x++;
      return x;
    },
  };
}

/** Sufficient statistics (n, sum, sumSquares) of a sample. */
export function meanStatsOf(values: readonly number[]): { n: number; sum: number; sumSquares: number } {
  let sum = 0;
  let sumSquares = 0;
  for (const v of values) {
    sum += v;
    sumSquares += v * v;
  }
  return { n: values.length, sum, sumSquares };
}

export interface Fixture<C> {
  readonly source: string;
  readonly generatedWith: string;
  readonly cases: readonly C[];
}

/** A JSON fixture from tests/fixtures/stats (written by make_fixtures.py). */
export function loadFixture<C>(name: string): Fixture<C> {
  const path = fileURLToPath(new URL(`../fixtures/stats/${name}`, import.meta.url));
  const fixture = JSON.parse(readFileSync(path, 'utf8')) as Fixture<C>;
  expect(fixture.source.length, `${name} must say where its numbers come from`).toBeGreaterThan(10);
  return fixture;
}

/** |actual - expected| <= tol |expected| + 1e-12; null matches only null (an unbounded side). */
export function expectClose(actual: number | null | undefined, expected: number | null | undefined, tol: number, label: string): void {
  if (expected === null || expected === undefined) {
    expect(actual ?? null, label).toBeNull();
    return;
  }
  expect(typeof actual, label).toBe('number');
  const a = actual as number;
  const ok = Math.abs(a - expected) <= tol * Math.abs(expected) + 1e-12;
  if (!ok) expect.fail(`${label}: got ${a}, expected ${expected} (relative tolerance ${tol})`);
}

export function expectIntervalClose(
  actual: readonly (number | null)[],
  expected: readonly (number | null)[],
  tol: number,
  label: string,
): void {
  expectClose(actual[0], expected[0], tol, `${label} lower`);
  expectClose(actual[1], expected[1], tol, `${label} upper`);
}

/**
 * A simulated rate is within k Monte-Carlo standard errors of p: |rate - p| <= k sqrt(p(1-p)/sims).
 */
export function expectRateNear(hits: number, sims: number, p: number, label: string, k = 4): void {
  const rate = hits / sims;
  const mcse = Math.sqrt((p * (1 - p)) / sims);
  if (Math.abs(rate - p) > k * mcse) expect.fail(`${label}: rate ${rate} is more than ${k} MC standard errors (${mcse}) from ${p}`);
}

/** Narrow a result union to its ok branch, failing with the not-estimable reason otherwise. */
export function ok<T extends { status: string }>(result: T): Extract<T, { status: 'ok' }> {
  if (result.status !== 'ok') expect.fail(`expected status ok, got ${JSON.stringify(result)}`);
  return result as Extract<T, { status: 'ok' }>;
}
