/**
 * From the pairs' warehouse data to findings, pure. Two families of tests, each corrected
 * over the pairs of the run with Benjamini–Hochberg (src/stats/multiple-testing.ts; FDR
 * control, Benjamini & Hochberg 1995 — a portfolio screen of many pairs would lose every
 * real interaction to a family-wise correction, and under the global null BH's chance of
 * any flag is still alpha):
 *   - assignment independence of A's and B's arms among users in both (chi-square);
 *   - the A×B interaction on each primary metric, where every cell has enough users.
 * Users in two experiments of one layer break the layer's mutual exclusion: a data-quality
 * failure, flagged without a test.
 */
import { adjustPValues } from '../stats/multiple-testing.ts';
import { chiSquareIndependence, interactionTest } from '../stats/index.ts';
import type { CandidatePair } from './pairs.ts';
import type { InteractionFinding, OverlapFlag, OverlapReport, OverlapSettings, PairData, PairReport } from './types.ts';

const pFmt = (p: number): string => (p < 0.0001 ? p.toExponential(1) : p.toPrecision(2));
const pct = (x: number | null): string => (x === null ? '–' : `${(x * 100).toFixed(1)}%`);

function interactionsOf(data: PairData, minCell: number): Omit<InteractionFinding, 'adjustedP'>[] {
  return data.metrics.map((m) => {
    if ('unsupported' in m.cells) return { experimentId: m.experimentId, metric: m.metric, skipped: m.cells.unsupported, result: null };
    const smallest = Math.min(...m.cells.flat().map((c) => c.n));
    if (smallest < minCell) return { experimentId: m.experimentId, metric: m.metric, skipped: `fewest users in an arm × arm cell ${smallest} < ${minCell}`, result: null };
    return { experimentId: m.experimentId, metric: m.metric, skipped: null, result: interactionTest(m.cells) };
  });
}

/** Adjusted p-values for the ok results of `pValues` (null = no test), in place of each. */
function adjustNullable(pValues: readonly (number | null)[]): (number | null)[] {
  const present = pValues.flatMap((p) => (p === null ? [] : [p]));
  const adjusted = present.length ? adjustPValues(present, 'bh') : [];
  let k = 0;
  return pValues.map((p) => (p === null ? null : adjusted[k++]!));
}

export function assessOverlaps(candidates: readonly CandidatePair[], data: readonly PairData[], settings: OverlapSettings, notes: readonly string[] = []): OverlapReport {
  const byPair = new Map(data.map((d) => [`${d.a}|${d.b}`, d]));
  const rows = candidates.flatMap((c) => {
    const d = byPair.get(`${c.a.id}|${c.b.id}`);
    if (!d) return [];
    const both = d.table.flat().reduce((s, x) => s + x, 0);
    const independence = both > 0 && c.layer === null ? chiSquareIndependence(d.table) : null;
    const interactions = both > 0 && c.layer === null ? interactionsOf(d, settings.minCellUsers) : [];
    return [{ c, d, both, independence, interactions }];
  });
  const indP = adjustNullable(rows.map((r) => (r.independence?.status === 'ok' ? r.independence.pValue : null)));
  const flatInteractions = rows.flatMap((r) => r.interactions);
  const intP = adjustNullable(flatInteractions.map((f) => (f.result?.status === 'ok' ? f.result.pValue : null)));
  let k = 0;
  const pairs = rows.map((r, i): PairReport => {
    const interactions: InteractionFinding[] = r.interactions.map((f) => ({ ...f, adjustedP: intP[k++]! }));
    const flags: OverlapFlag[] = [];
    const findings: string[] = [];
    const shareOfA = r.d.usersA > 0 ? r.both / r.d.usersA : null;
    const shareOfB = r.d.usersB > 0 ? r.both / r.d.usersB : null;
    if (r.c.layer !== null && r.both > 0) {
      flags.push('layer_violation');
      findings.push(`${r.both} user(s) are in both ${r.c.a.id} and ${r.c.b.id}, which share layer ${r.c.layer} and must be mutually exclusive: fix the layer's assignment before trusting either`);
    }
    const adjInd = indP[i]!;
    if (adjInd !== null && adjInd < settings.alpha && r.independence?.status === 'ok') {
      flags.push('dependent_assignment');
      findings.push(`the arms of ${r.c.a.id} and ${r.c.b.id} are not independent among the ${r.both} users in both (chi-square ${r.independence.chi2.toFixed(1)}, df ${r.independence.df}, BH-adjusted p ${pFmt(adjInd)}): one assignment leaks into the other`);
    }
    for (const f of interactions) {
      if (f.adjustedP !== null && f.adjustedP < settings.alpha && f.result?.status === 'ok') {
        if (!flags.includes('interaction')) flags.push('interaction');
        const est = f.result.estimate !== null ? `, difference of effects ${f.result.estimate.toPrecision(3)}` : '';
        findings.push(`${r.c.a.id} × ${r.c.b.id} interact on ${f.metric} (${f.experimentId}'s window; Wald chi-square ${f.result.chi2.toFixed(1)}, df ${f.result.df}${est}, BH-adjusted p ${pFmt(f.adjustedP)}): read neither lift alone`);
      }
    }
    return {
      a: r.c.a.id, b: r.c.b.id, layer: r.c.layer, sharedDays: r.c.sharedDays,
      usersBoth: r.both, shareOfA, shareOfB, table: r.d.table, armsA: r.d.armsA, armsB: r.d.armsB,
      independence: r.independence, independenceAdjustedP: adjInd, interactions, flags, findings,
    };
  });
  return { alpha: settings.alpha, correction: 'bh', minCellUsers: settings.minCellUsers, pairs, notes };
}

/** One line per pair for printing: ids, users in both and the shares of each. */
export function pairSummary(p: PairReport): string {
  return `${p.a} × ${p.b}: ${p.usersBoth} users in both (${pct(p.shareOfA)} of ${p.a}, ${pct(p.shareOfB)} of ${p.b})`;
}
