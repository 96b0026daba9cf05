/**
 * "Did you mean …?" for a mistyped name (a config key, a stage, a model): the known names
 * within a small edit distance, closest first, as git and commander suggest commands.
 */

/**
 * Optimal string alignment distance: insertions, deletions, substitutions and swaps of
 * two neighbours each cost 1 (Damerau 1964; "hypothsis" is 1 from "hypothesis").
 */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}

/** Known names at most a third of the name's length away (at least 1), closest first, then by name. */
export function closestNames(name: string, known: Iterable<string>, max = 3): string[] {
  const limit = Math.max(1, Math.floor(name.length / 3));
  return [...new Set(known)]
    .map((k) => ({ k, d: editDistance(name.toLowerCase(), k.toLowerCase()) }))
    .filter((x) => x.d <= limit && x.k !== name)
    .sort((x, y) => x.d - y.d || x.k.localeCompare(y.k))
    .slice(0, max)
    .map((x) => x.k);
}

/** `did you mean "hypothesis"?`, or undefined when nothing is close. */
export function didYouMean(name: string, known: Iterable<string>): string | undefined {
  const close = closestNames(name, known);
  return close.length ? `did you mean ${close.map((c) => `"${c}"`).join(' or ')}?` : undefined;
}
