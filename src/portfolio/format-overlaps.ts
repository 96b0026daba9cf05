/** `xp overlaps` on a terminal: one row per pair, then each flagged pair's findings. */
import { textTable } from '../core/format.ts';
import type { InteractionFinding, OverlapReport, PairReport } from './types.ts';

const pct = (x: number | null): string => (x === null ? '-' : `${(x * 100).toFixed(1)}%`);
const pFmt = (p: number | null): string => (p === null ? '-' : p < 0.0001 ? p.toExponential(1) : p.toPrecision(2));

function interactionCell(p: PairReport): string {
  const adjusted = p.interactions.flatMap((f) => (f.adjustedP === null ? [] : [f.adjustedP]));
  return adjusted.length ? pFmt(Math.min(...adjusted)) : '-';
}

function interactionLine(f: InteractionFinding): string {
  const what = `${f.metric} in ${f.experimentId}'s window`;
  if (f.skipped) return `${what}: not run (${f.skipped})`;
  if (f.result?.status !== 'ok') return `${what}: not estimable (${f.result?.detail ?? 'no result'})`;
  const est = f.result.estimate !== null ? `, difference of effects ${f.result.estimate.toPrecision(3)} ± ${f.result.standardError!.toPrecision(2)}` : '';
  return `${what}: chi-square ${f.result.chi2.toFixed(2)}, df ${f.result.df}${est}, p ${pFmt(f.result.pValue)}, adjusted ${pFmt(f.adjustedP)}`;
}

export function formatOverlaps(r: OverlapReport): string {
  const out: string[] = [`overlapping experiments (flag: adjusted p < ${r.alpha}, Benjamini–Hochberg over the pairs; interaction test when every arm × arm cell has ≥ ${r.minCellUsers} users)`];
  if (!r.pairs.length) out.push('no pair of built experiments has overlapping windows');
  else {
    out.push(textTable(['pair', 'days', 'users in both', 'of A', 'of B', 'independence p (adj)', 'interaction adj p', 'flags'], r.pairs.map((p) => [
      `${p.a} × ${p.b}`, String(p.sharedDays), String(p.usersBoth), pct(p.shareOfA), pct(p.shareOfB),
      p.independence?.status === 'ok' ? `${pFmt(p.independence.pValue)} (${pFmt(p.independenceAdjustedP)})` : p.layer ? `layer ${p.layer}` : '-',
      interactionCell(p), p.flags.join(' ') || '-',
    ])));
  }
  const tested = r.pairs.filter((p) => p.interactions.length);
  if (tested.length) out.push('', 'interaction tests (A×B Wald test on users in both):');
  for (const p of tested) out.push(`  ${p.a} × ${p.b}`, ...p.interactions.map((f) => `    ${interactionLine(f)}`));
  const flagged = r.pairs.filter((p) => p.flags.length);
  if (flagged.length) out.push('', 'flagged:', ...flagged.flatMap((p) => p.findings.map((f) => `  - ${f}`)));
  for (const n of r.notes) out.push('', `note: ${n}`);
  return out.join('\n');
}
