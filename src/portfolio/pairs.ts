/** Which experiments can overlap: every pair whose windows share a day. Pure. */
import type { Experiment } from '../project/types.ts';
import { sharedDays, windowOf } from '../project/windows.ts';

export interface CandidatePair {
  readonly a: Experiment;
  readonly b: Experiment;
  readonly sharedDays: number;
  /** both in this layer */
  readonly layer: string | null;
}

/** Pairs in id order (a < b), each once. */
export function overlappingPairs(experiments: readonly Experiment[]): CandidatePair[] {
  const sorted = [...experiments].sort((x, y) => x.id.localeCompare(y.id));
  const out: CandidatePair[] = [];
  for (let i = 0; i < sorted.length; i++) {
    for (let j = i + 1; j < sorted.length; j++) {
      const a = sorted[i]!;
      const b = sorted[j]!;
      const days = sharedDays(windowOf(a), windowOf(b));
      if (days > 0) out.push({ a, b, sharedDays: days, layer: a.layer !== undefined && a.layer === b.layer ? a.layer : null });
    }
  }
  return out;
}
