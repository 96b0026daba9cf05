/**
 * Do two experiments interact? Among users exposed to both A (arms a = 0..k-1, 0 the
 * control) and B (arms b = 0..m-1), a metric's cell means mu_ab form a two-way layout; no
 * interaction means A's effect is the same in every arm of B (and so B's in every arm of
 * A): mu_ab - mu_a0 - mu_0b + mu_00 = 0 for all a, b >= 1. This is the test Eppo runs on
 * users in both experiments of a pair ("interaction effects", a two-way A×B test); a
 * significant interaction means neither experiment's lift can be read alone.
 */
import { chiSquareSf } from './distributions.ts';
import { assertCount, assertFinite } from './moments.ts';
import { notEstimable, type NotEstimable } from './types.ts';

/** One cell's sufficient statistics of the metric: users, Σy, Σy². */
export interface CellStats {
  readonly n: number;
  readonly sum: number;
  readonly sumSquares: number;
}

export interface InteractionOk {
  readonly status: 'ok';
  /** Wald chi-square of the (k-1)(m-1) interaction contrasts */
  readonly chi2: number;
  readonly df: number;
  readonly pValue: number;
  /**
   * 2 × 2 only (else null): A's effect among B's treatment minus A's effect among B's
   * control, (mu_11 - mu_01) - (mu_10 - mu_00), with its standard error
   */
  readonly estimate: number | null;
  readonly standardError: number | null;
  /** users in all cells */
  readonly n: number;
}

export type InteractionResult = InteractionOk | NotEstimable;

/** Solve S x = v for a symmetric positive-definite S by Gaussian elimination with partial pivoting. */
function solve(matrix: readonly (readonly number[])[], vector: readonly number[]): number[] | null {
  const size = vector.length;
  const a = matrix.map((row, i) => [...row, vector[i] as number]);
  for (let col = 0; col < size; col++) {
    let pivot = col;
    for (let r = col + 1; r < size; r++) if (Math.abs(a[r]![col]!) > Math.abs(a[pivot]![col]!)) pivot = r;
    if (!(Math.abs(a[pivot]![col]!) > 0)) return null;
    [a[col], a[pivot]] = [a[pivot]!, a[col]!];
    for (let r = 0; r < size; r++) {
      if (r === col) continue;
      const f = a[r]![col]! / a[col]![col]!;
      for (let c = col; c <= size; c++) a[r]![c]! -= f * a[col]![c]!;
    }
  }
  return a.map((row, i) => row[size]! / row[i]!);
}

/**
 * Heteroskedasticity-robust Wald test of no interaction in a saturated two-way layout
 * (Searle 1987, Linear Models for Unbalanced Data, section 4.9; the cell-means form of an
 * OLS fit of y ~ A * B with HC2 standard errors, whose leverage in a saturated model is
 * 1/n_ab, so its variance of a cell mean is s_ab^2 / n_ab with s^2 on n - 1 degrees of
 * freedom — MacKinnon & White 1985):
 *   theta = C mu with C the (k-1)(m-1) contrasts mu_ab - mu_a0 - mu_0b + mu_00,
 *   V = C diag(s_ab^2 / n_ab) C',  W = theta' V^-1 theta ~ chi2((k-1)(m-1)) under H0.
 * For 2 × 2 this is z^2 with z = theta / sqrt(sum s^2/n) (the difference of A's lift
 * between B's arms). Large-sample: each cell's mean is taken as normal.
 * Not estimable: INSUFFICIENT_DATA when a cell has fewer than two users or the layout is
 * smaller than 2 × 2; ZERO_VARIANCE when every cell's values are constant (V singular).
 */
export function interactionTest(cells: readonly (readonly CellStats[])[]): InteractionResult {
  const label = 'interactionTest';
  const k = cells.length;
  const m = cells[0]?.length ?? 0;
  if (k < 2 || m < 2) return notEstimable('INSUFFICIENT_DATA', `${label}: needs at least 2 × 2 cells, got ${k} × ${m}`);
  const mean: number[][] = [];
  const varOfMean: number[][] = [];
  let n = 0;
  for (let a = 0; a < k; a++) {
    if (cells[a]!.length !== m) throw new RangeError(`${label}: row ${a} has ${cells[a]!.length} cells, row 0 has ${m}`);
    mean.push([]);
    varOfMean.push([]);
    for (let b = 0; b < m; b++) {
      const c = cells[a]![b]!;
      assertCount(c.n, `${label}: cell [${a}][${b}]`);
      assertFinite({ sum: c.sum, sumSquares: c.sumSquares }, `${label}: cell [${a}][${b}]`);
      if (c.n < 2) return notEstimable('INSUFFICIENT_DATA', `${label}: cell [${a}][${b}] has ${c.n} user(s); every cell needs at least 2`);
      const mu = c.sum / c.n;
      const s2 = Math.max(0, (c.sumSquares - c.n * mu * mu) / (c.n - 1));
      mean[a]!.push(mu);
      varOfMean[a]!.push(s2 / c.n);
      n += c.n;
    }
  }
  // contrast (a, b) for a, b >= 1 touches cells (a,b) +1, (a,0) -1, (0,b) -1, (0,0) +1
  const contrasts: [number, number][] = [];
  for (let a = 1; a < k; a++) for (let b = 1; b < m; b++) contrasts.push([a, b]);
  const coef = ([a, b]: [number, number]): Map<string, number> => new Map([[`${a},${b}`, 1], [`${a},0`, -1], [`0,${b}`, -1], ['0,0', 1]]);
  const theta = contrasts.map(([a, b]) => mean[a]![b]! - mean[a]![0]! - mean[0]![b]! + mean[0]![0]!);
  const v = contrasts.map((ci) => contrasts.map((cj) => {
    const x = coef(ci);
    const y = coef(cj);
    let s = 0;
    for (const [cell, w] of x) {
      const u = y.get(cell);
      if (u === undefined) continue;
      const [a, b] = cell.split(',').map(Number) as [number, number];
      s += w * u * varOfMean[a]![b]!;
    }
    return s;
  }));
  const x = solve(v, theta);
  if (x === null || !v.every((row, i) => row[i]! > 0)) {
    return notEstimable('ZERO_VARIANCE', `${label}: the metric has no variance in the cells, so no interaction can be tested`);
  }
  const chi2 = theta.reduce((s, t, i) => s + t * x[i]!, 0);
  const df = contrasts.length;
  const twoByTwo = k === 2 && m === 2;
  return {
    status: 'ok',
    chi2,
    df,
    pValue: chiSquareSf(chi2, df),
    estimate: twoByTwo ? theta[0]! : null,
    standardError: twoByTwo ? Math.sqrt(v[0]![0]!) : null,
    n,
  };
}
