/**
 * Robust z-scores for spotting a day far outside the others: z = (x - median) / (1.4826 MAD),
 * the median absolute deviation scaled to estimate sigma under normality (Rousseeuw &
 * Croux 1993, JASA 88:1273; Iglewicz & Hoaglin 1993, "How to Detect and Handle Outliers",
 * section 2.2). One wild day cannot mask itself, as it would with the mean and sd.
 */

export function median(xs: readonly number[]): number {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/**
 * Robust z of each value. When more than half the values are equal the MAD is 0; then the
 * mean absolute deviation from the median scaled by sqrt(pi/2) = 1.2533 stands in (the
 * convention of IBM SPSS and Iglewicz & Hoaglin for the modified z-score), so one odd day
 * in an otherwise constant series still stands out. Null for all when every value is equal.
 */
export function robustZ(xs: readonly number[]): (number | null)[] {
  const m = median(xs);
  const deviations = xs.map((x) => Math.abs(x - m));
  const mad = median(deviations);
  const scale = mad > 0 ? 1.4826 * mad : 1.2533 * (deviations.reduce((s, d) => s + d, 0) / (xs.length || 1));
  if (!(scale > 0)) return xs.map(() => null);
  return xs.map((x) => (x - m) / scale);
}
