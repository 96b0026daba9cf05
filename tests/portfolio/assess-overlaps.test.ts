/** From pair data to flags, pure: BH over the pairs, the minimum cell size, layers, unsupported metrics. */
import { describe, expect, it } from 'vitest';
import { assessOverlaps } from '../../src/portfolio/assess-overlaps.ts';
import type { CandidatePair } from '../../src/portfolio/pairs.ts';
import type { MetricCells, PairData } from '../../src/portfolio/types.ts';
import type { Experiment } from '../../src/project/types.ts';
import { adjustPValues } from '../../src/stats/multiple-testing.ts';
import { chiSquareIndependence } from '../../src/stats/independence.ts';

const e = (id: string, layer?: string): Experiment => ({ id, ...(layer && { layer }) }) as unknown as Experiment;
const cand = (a: string, b: string, layer: string | null = null): CandidatePair => ({ a: e(a, layer ?? undefined), b: e(b, layer ?? undefined), sharedDays: 7, layer });
const cell = (n: number, rate: number) => ({ n, sum: Math.round(n * rate), sumSquares: Math.round(n * rate) });
const binary = (id: string, rates: number[][], n = 500): MetricCells => ({ experimentId: id, metric: 'conversion', cells: rates.map((row) => row.map((r) => cell(n, r))) });
const data = (a: string, b: string, table: number[][], metrics: MetricCells[]): PairData => ({ a, b, usersA: 2000, usersB: 4000, armsA: ['control', 'treatment'], armsB: ['control', 'treatment'], table, metrics });

describe('assessOverlaps', () => {
  it('adjusts the independence p-values over the pairs with Benjamini–Hochberg and flags below alpha', () => {
    const tables = [[[500, 500], [500, 500]], [[560, 440], [440, 560]], [[520, 480], [480, 520]]];
    const r = assessOverlaps(
      [cand('a', 'b'), cand('c', 'd'), cand('e', 'f')],
      tables.map((t, i) => data(`${'ace'[i]}`, `${'bdf'[i]}`, t, [])),
      { alpha: 0.05, minCellUsers: 100 },
    );
    const raw = tables.map((t) => { const x = chiSquareIndependence(t); return x.status === 'ok' ? x.pValue : NaN; });
    expect(r.pairs.map((p) => p.independenceAdjustedP)).toEqual(adjustPValues(raw, 'bh'));
    expect(r.pairs.map((p) => p.flags)).toEqual([[], ['dependent_assignment'], []]);
    expect(r.pairs[0]).toMatchObject({ usersBoth: 2000, shareOfA: 1, shareOfB: 0.5 });
    expect(r.pairs[1]!.findings[0]).toMatch(/^the arms of c and d are not independent among the 2000 users in both/);
  });

  it('tests the interaction only with enough users in every cell, and says why not', () => {
    const r = assessOverlaps([cand('a', 'b')], [data('a', 'b', [[500, 500], [500, 500]], [binary('a', [[0.1, 0.1], [0.2, 0.05]]), { ...binary('b', [[0.1, 0.1], [0.1, 0.1]]), cells: [[cell(500, 0.1), cell(500, 0.1)], [cell(500, 0.1), cell(50, 0.1)]] }])], { alpha: 0.05, minCellUsers: 100 });
    const [fa, fb] = r.pairs[0]!.interactions;
    expect(fa!.skipped).toBeNull();
    expect(fa!.result?.status).toBe('ok');
    expect(fb!.skipped).toBe('fewest users in an arm × arm cell 50 < 100');
    expect(r.pairs[0]!.flags).toEqual(['interaction']);
    expect(r.pairs[0]!.findings[0]).toMatch(/^a × b interact on conversion \(a's window/);
  });

  it('reports a ratio metric as unsupported', () => {
    const r = assessOverlaps([cand('a', 'b')], [data('a', 'b', [[300, 300], [300, 300]], [{ experimentId: 'a', metric: 'aov', cells: { unsupported: 'a ratio metric' } }])], { alpha: 0.05, minCellUsers: 100 });
    expect(r.pairs[0]!.interactions).toEqual([{ experimentId: 'a', metric: 'aov', skipped: 'a ratio metric', result: null, adjustedP: null }]);
  });

  it('flags users shared inside a layer and runs no test there; a clean layer has no flag', () => {
    const r = assessOverlaps([cand('a', 'b', 'l'), cand('c', 'd', 'l')], [data('a', 'b', [[3, 0], [1, 2]], []), data('c', 'd', [[0, 0], [0, 0]], [])], { alpha: 0.05, minCellUsers: 100 });
    expect(r.pairs.map((p) => [p.flags, p.independence])).toEqual([[['layer_violation'], null], [[], null]]);
    expect(r.pairs[0]!.findings[0]).toBe('6 user(s) are in both a and b, which share layer l and must be mutually exclusive: fix the layer\'s assignment before trusting either');
  });
});
