/**
 * Multiple-testing adjustment of p-values, with the conventions of statsmodels'
 * `multipletests` (methods 'bonferroni', 'holm', 'fdr_bh'): adjusted p-values are capped at
 * 1 and returned in the input order, so a hypothesis is rejected at level q when its adjusted
 * p-value is <= q.
 */

export type AdjustmentMethod = 'bonferroni' | 'holm' | 'bh';

/**
 * bonferroni: p~_i = min(1, m p_i) (family-wise error rate; Dunn 1961).
 * holm: with p_(1) <= ... <= p_(m), p~_(i) = max_{j <= i} min(1, (m - j + 1) p_(j))
 *   (step-down FWER control; Holm 1979, Scand. J. Statist. 6:65).
 * bh: p~_(i) = min_{j >= i} min(1, m p_(j) / j) (false discovery rate under independence or
 *   positive dependence; Benjamini & Hochberg 1995, JRSS-B 57:289).
 */
export function adjustPValues(pValues: readonly number[], method: AdjustmentMethod): number[] {
  pValues.forEach((p, i) => {
    if (!(p >= 0 && p <= 1)) throw new RangeError(`adjustPValues: pValues[${i}]=${p} is not in [0, 1]`);
  });
  const m = pValues.length;
  if (method === 'bonferroni') return pValues.map((p) => Math.min(1, m * p));
  const order = pValues.map((_, i) => i).sort((a, b) => (pValues[a] as number) - (pValues[b] as number));
  const adjusted = new Array<number>(m).fill(0);
  if (method === 'holm') {
    let running = 0;
    order.forEach((index, rank) => {
      running = Math.max(running, Math.min(1, (m - rank) * (pValues[index] as number)));
      adjusted[index] = running;
    });
    return adjusted;
  }
  if (method === 'bh') {
    let running = 1;
    for (let rank = m - 1; rank >= 0; rank--) {
      const index = order[rank] as number;
      running = Math.min(running, (m * (pValues[index] as number)) / (rank + 1));
      adjusted[index] = running;
    }
    return adjusted;
  }
  throw new RangeError(`adjustPValues: unknown method '${String(method)}'`);
}
