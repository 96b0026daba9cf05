/**
 * Group-sequential efficacy boundaries from Lan-DeMets alpha-spending functions, computed
 * exactly by recursive numerical integration of the canonical joint distribution of the
 * z-statistics (Jennison & Turnbull 2000, "Group Sequential Methods with Applications to
 * Clinical Trials", chapter 19). Under H0 the z-statistics at information fractions
 * t_1 < ... < t_K form a Brownian motion in information time: Cov(Z_i, Z_j) = sqrt(t_i / t_j).
 */
import { normalCdf, normalPdf, normalQuantile, normalSf } from './distributions.ts';
import { validateAlpha } from './inference.ts';

export type SpendingFunction = 'obrien-fleming' | 'pocock';

export interface GroupSequentialConfig {
  /** information fraction of each look so far, strictly increasing in (0, 1] */
  readonly informationFractions: readonly number[];
  /** overall type-I error; for sided = 2 it is split alpha/2 per side */
  readonly alpha: number;
  readonly sided: 1 | 2;
  readonly spending: SpendingFunction;
}

export const defaultGroupSequentialConfig: Omit<GroupSequentialConfig, 'informationFractions'> = {
  alpha: 0.05,
  sided: 2,
  spending: 'obrien-fleming',
};

export interface GroupSequentialBounds {
  /**
   * z boundary per look: reject when Z_k >= b_k (sided 1) or |Z_k| >= b_k (sided 2).
   * Infinity when the spending function spends nothing at that look (below 1e-300).
   */
  readonly zBounds: readonly number[];
  /** alpha(t_k), both sides together for sided 2 */
  readonly cumulativeAlphaSpent: readonly number[];
  /** alpha(t_k) - alpha(t_(k-1)) */
  readonly incrementalAlphaSpent: readonly number[];
  /** nominal level of each look in the same sidedness: sided * (1 - Phi(b_k)) */
  readonly nominalAlpha: readonly number[];
}

/**
 * Lan & DeMets (1983, Biometrika 70:659) spending functions of total level alpha and
 * information fraction t in (0, 1]. For a two-sided design each side spends half, and the
 * O'Brien-Fleming-type function is that of the one-sided level alpha/2 on each side, as in
 * gsDesign (`sfLDOF` with test.type = 2) and rpact (`asOF`, sided = 2):
 *   obrien-fleming, one side at level a: a(t) = 2 - 2 Phi(z_(1 - a/2) / sqrt t)
 *   pocock: alpha(t) = alpha ln(1 + (e - 1) t)
 */
export function alphaSpent(spending: SpendingFunction, alpha: number, sided: 1 | 2, t: number): number {
  if (spending === 'pocock') return alpha * Math.log(1 + (Math.E - 1) * Math.min(1, t));
  const perSide = alpha / sided;
  return sided * 2 * normalSf(normalQuantile(1 - perSide / 2) / Math.sqrt(Math.min(1, t)));
}

/** Grid parameter r of Jennison & Turnbull section 19.2.1 (they recommend 16; gsDesign uses 18). */
const GRID_R = 18;

/** The 6r - 1 unrestricted abscissae of Jennison & Turnbull (2000) eq. 19.4, under H0 (mean 0). */
const BASE_POINTS: readonly number[] = (() => {
  const r = GRID_R;
  const xs: number[] = [];
  for (let i = 1; i <= r - 1; i++) xs.push(-3 - 4 * Math.log(r / i));
  for (let i = r; i <= 5 * r; i++) xs.push(-3 + (3 * (i - r)) / (2 * r));
  for (let i = 5 * r + 1; i <= 6 * r - 1; i++) xs.push(3 + 4 * Math.log(r / (6 * r - i)));
  return xs;
})();

interface Grid {
  readonly z: readonly number[];
  /** Simpson weights */
  readonly w: readonly number[];
}

/**
 * Grid on the continuation interval (lower, upper): the base points inside it plus its two
 * ends, then every midpoint, with composite Simpson weights (d/6, 4d/6, d/6) per
 * sub-interval of width d (Jennison & Turnbull section 19.2.1).
 */
function continuationGrid(lower: number, upper: number): Grid {
  const first = BASE_POINTS[0] as number;
  const last = BASE_POINTS[BASE_POINTS.length - 1] as number;
  const lo = Math.max(lower, first);
  const hi = Math.min(upper, last);
  const nodes = [lo, ...BASE_POINTS.filter((x) => x > lo && x < hi), hi];
  const z: number[] = [];
  const w: number[] = new Array<number>(2 * nodes.length - 1).fill(0);
  for (let j = 0; j < nodes.length; j++) {
    const x = nodes[j] as number;
    z.push(x);
    if (j === nodes.length - 1) break;
    const next = nodes[j + 1] as number;
    const d = next - x;
    z.push((x + next) / 2);
    w[2 * j] = (w[2 * j] as number) + d / 6;
    w[2 * j + 1] = (w[2 * j + 1] as number) + (4 * d) / 6;
    w[2 * j + 2] = (w[2 * j + 2] as number) + d / 6;
  }
  return { z, w };
}

interface Stage {
  readonly grid: Grid;
  /** sub-density of Z_k on the continuation region at the grid points */
  readonly h: readonly number[];
  readonly t: number;
}

/**
 * Probability of first crossing at look k with bound b, given the previous stage:
 *   sum_i w_i h_(k-1)(z_i) [ 1 - Phi((b sqrt t_k - z_i sqrt t_(k-1)) / sqrt(t_k - t_(k-1)))
 *                           + Phi((-b sqrt t_k - z_i sqrt t_(k-1)) / sqrt(t_k - t_(k-1))) (sided 2) ]
 * (Jennison & Turnbull eq. 19.6) and its derivative in b.
 */
function crossing(previous: Stage, t: number, b: number, sided: 1 | 2): { readonly value: number; readonly slope: number } {
  const sdInc = Math.sqrt(t - previous.t);
  const rootPrev = Math.sqrt(previous.t);
  const rootT = Math.sqrt(t);
  let value = 0;
  let slope = 0;
  const { z, w } = previous.grid;
  for (let i = 0; i < z.length; i++) {
    const mass = (w[i] as number) * (previous.h[i] as number);
    const shift = (z[i] as number) * rootPrev;
    const upper = (b * rootT - shift) / sdInc;
    value += mass * normalSf(upper);
    slope -= mass * normalPdf(upper) * (rootT / sdInc);
    if (sided === 2) {
      const lower = (-b * rootT - shift) / sdInc;
      value += mass * normalCdf(lower);
      slope -= mass * normalPdf(lower) * (rootT / sdInc);
    }
  }
  return { value, slope };
}

/** Smallest spend treated as nonzero: below it the bound is +Infinity (nothing is spent). */
const MIN_SPEND = 1e-300;

/**
 * Solve crossing(b) = target for b by Newton's method on log crossing(b), safeguarded by
 * bisection inside a bracket; crossing is strictly decreasing in b.
 */
function solveBound(f: (b: number) => { readonly value: number; readonly slope: number }, target: number, start: number, floor: number): number {
  let lo = Math.max(floor, start - 1);
  let hi = start + 1;
  for (let i = 0; i < 200 && f(lo).value < target; i++) lo = Math.max(floor, lo - 1);
  for (let i = 0; i < 200 && f(hi).value > target; i++) hi += 1;
  let b = Math.min(hi, Math.max(lo, start));
  const logTarget = Math.log(target);
  for (let i = 0; i < 100; i++) {
    const { value, slope } = f(b);
    if (value > target) lo = b;
    else hi = b;
    const g = Math.log(value) - logTarget;
    let next = b - g / (slope / value);
    if (!(next > lo && next < hi) || !Number.isFinite(next)) next = (lo + hi) / 2;
    if (Math.abs(next - b) < 1e-12 || hi - lo < 1e-12) return next;
    b = next;
  }
  return b;
}

/**
 * Lan-DeMets group-sequential efficacy bounds (Lan & DeMets 1983; algorithm of Jennison &
 * Turnbull 2000, chapter 19, section 19.2: grid with r = 18, Simpson's rule).
 *   look 1: b_1 = Phi^-1(1 - alpha(t_1) / sided), exactly;
 *   look k: b_k solves P(Z_1..Z_(k-1) continue, Z_k crosses b_k) = alpha(t_k) - alpha(t_(k-1)),
 *     integrating the sub-density h_(k-1) of Z_(k-1) on its continuation region:
 *     h_k(z) = int h_(k-1)(u) sqrt(t_k / D) phi((z sqrt t_k - u sqrt t_(k-1)) / sqrt D) du, D = t_k - t_(k-1).
 * Two-sided designs have symmetric bounds and count crossings of either side (as rpact's
 * sided = 2). The bound at look k depends only on t_1..t_k, so bounds can be computed look by
 * look as data arrive, with unequal spacing; a final look at t = 1 spends all of alpha.
 */
export function groupSequentialBounds(
  config: Pick<GroupSequentialConfig, 'informationFractions'> & Partial<GroupSequentialConfig>,
): GroupSequentialBounds {
  const label = 'groupSequentialBounds';
  const cfg: GroupSequentialConfig = { ...defaultGroupSequentialConfig, ...config };
  validateAlpha(cfg.alpha, label);
  if (cfg.sided !== 1 && cfg.sided !== 2) throw new RangeError(`${label}: sided=${String(cfg.sided)} must be 1 or 2`);
  if (cfg.spending !== 'obrien-fleming' && cfg.spending !== 'pocock') {
    throw new RangeError(`${label}: unknown spending function '${String(cfg.spending)}'`);
  }
  const fractions = cfg.informationFractions;
  if (fractions.length === 0) throw new RangeError(`${label}: informationFractions is empty`);
  fractions.forEach((t, k) => {
    const previous = k === 0 ? 0 : (fractions[k - 1] as number);
    if (!(t > previous && t <= 1)) {
      throw new RangeError(`${label}: informationFractions must be strictly increasing in (0, 1]; got ${fractions.join(', ')}`);
    }
  });

  const { alpha, sided, spending } = cfg;
  const cumulative = fractions.map((t) => alphaSpent(spending, alpha, sided, t));
  const incremental = cumulative.map((a, k) => a - (k === 0 ? 0 : (cumulative[k - 1] as number)));
  const zBounds: number[] = [];
  let stage: Stage | null = null;
  for (let k = 0; k < fractions.length; k++) {
    const t = fractions[k] as number;
    const target = incremental[k] as number;
    const firstLookBound = target > MIN_SPEND ? normalQuantile(1 - target / sided) : Number.POSITIVE_INFINITY;
    let b: number;
    if (stage === null || !Number.isFinite(firstLookBound)) {
      b = firstLookBound;
    } else {
      const previous: Stage = stage;
      b = solveBound((x) => crossing(previous, t, x, sided), target, firstLookBound, sided === 2 ? 0 : -40);
    }
    zBounds.push(b);
    if (k === fractions.length - 1) break; // the last look's density is never needed
    const grid = continuationGrid(sided === 2 ? -b : Number.NEGATIVE_INFINITY, b);
    let h: number[];
    if (stage === null) {
      h = grid.z.map((z) => normalPdf(z));
    } else {
      const previous: Stage = stage;
      const sdInc = Math.sqrt(t - previous.t);
      const rootPrev = Math.sqrt(previous.t);
      const rootT = Math.sqrt(t);
      const scale = rootT / sdInc;
      const mass = previous.grid.w.map((w, i) => w * (previous.h[i] as number));
      const m = grid.z.length;
      h = new Array<number>(m);
      for (let j = 0; j < m; j++) {
        // Two-sided: grid and density are symmetric about 0 under H0, so mirror the upper half.
        if (sided === 2 && 2 * j > m - 1) {
          h[j] = h[m - 1 - j] as number;
          continue;
        }
        const zt = (grid.z[j] as number) * rootT;
        let sum = 0;
        for (let i = 0; i < mass.length; i++) {
          sum += (mass[i] as number) * normalPdf((zt - (previous.grid.z[i] as number) * rootPrev) / sdInc);
        }
        h[j] = sum * scale;
      }
    }
    stage = { grid, h, t };
  }
  return {
    zBounds,
    cumulativeAlphaSpent: cumulative,
    incrementalAlphaSpent: incremental,
    nominalAlpha: zBounds.map((b) => sided * normalSf(b)),
  };
}
