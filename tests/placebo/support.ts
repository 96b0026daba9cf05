/** The placebo arm as one CASE over the bounds: the tests' independent reading of a split. */
export function armCaseSql(hashColumn: string, bounds: readonly bigint[]): string {
  const whens = bounds.slice(0, -1).map((b, i) => `when ${hashColumn} < ${b}::ubigint then ${i}`);
  return `case ${whens.join(' ')} else ${bounds.length - 1} end`;
}
