/**
 * Are two assignments independent? Among users exposed to both experiments A and B, the
 * arms of A and the arms of B form an r × c contingency table; when both experiments
 * randomise independently, every row has the same column shares. A dependence means one
 * experiment's assignment leaks into the other's (a shared hash seed, a targeting rule on
 * the other's arm), and then each experiment's effect is confounded with the other's.
 */
import { chiSquareSf } from './distributions.ts';
import { assertCount } from './moments.ts';
import { notEstimable, type NotEstimable } from './types.ts';

export interface IndependenceOk {
  readonly status: 'ok';
  readonly chi2: number;
  readonly df: number;
  readonly pValue: number;
  /** users in the table */
  readonly n: number;
}

export type IndependenceResult = IndependenceOk | NotEstimable;

/**
 * Pearson's chi-square test of independence (Agresti 2013, Categorical Data Analysis,
 * section 3.2.1): E_ij = n_i. n_.j / n, chi2 = sum_ij (O_ij - E_ij)^2 / E_ij,
 * df = (r - 1)(c - 1), p = P(chi2_df > chi2), without Yates' continuity correction (as
 * scipy.stats.chi2_contingency(correction=False)). Rows or columns with no users are
 * dropped first (an arm nobody in the overlap saw carries no information about dependence).
 * Not estimable: INSUFFICIENT_DATA when fewer than two rows or two columns remain.
 */
export function chiSquareIndependence(table: readonly (readonly number[])[]): IndependenceResult {
  const label = 'chiSquareIndependence';
  const width = table[0]?.length ?? 0;
  table.forEach((row, i) => {
    if (row.length !== width) throw new RangeError(`${label}: row ${i} has ${row.length} cells, row 0 has ${width}`);
    row.forEach((x, j) => assertCount(x, `${label}: table[${i}][${j}]`));
  });
  const rowSums = table.map((row) => row.reduce((s, x) => s + x, 0));
  const colSums = Array.from({ length: width }, (_, j) => table.reduce((s, row) => s + (row[j] as number), 0));
  const rows = rowSums.flatMap((s, i) => (s > 0 ? [i] : []));
  const cols = colSums.flatMap((s, j) => (s > 0 ? [j] : []));
  const n = rowSums.reduce((s, x) => s + x, 0);
  if (rows.length < 2 || cols.length < 2) {
    return notEstimable('INSUFFICIENT_DATA', `${label}: the users in both fall into ${rows.length} arm(s) of one experiment and ${cols.length} of the other; at least two of each are needed`);
  }
  let chi2 = 0;
  for (const i of rows) {
    for (const j of cols) {
      const e = ((rowSums[i] as number) * (colSums[j] as number)) / n;
      const d = (table[i]![j] as number) - e;
      chi2 += (d * d) / e;
    }
  }
  const df = (rows.length - 1) * (cols.length - 1);
  return { status: 'ok', chi2, df, pValue: chiSquareSf(chi2, df), n };
}
