/** Which experiments can overlap: every pair whose windows share a day. Pure. */
import type { Experiment } from '../project/types.ts';
import { sharedDays, windowOf } from '../project/windows.ts';

/**
 * The memo reads its experiment's pairs itself up to this many overlapping experiments;
 * beyond, it names their number and points at `xp overlaps` (a memo per experiment over a
 * portfolio where hundreds overlap would read every pair hundreds of times).
 */
export const MEMO_MAX_PARTNERS = 20;

/** The experiments whose windows overlap `id`'s. */
export function partnersOf(experiments: readonly Experiment[], id: string): string[] {
  const self = experiments.find((e) => e.id === id);
  if (!self) return [];
  const w = windowOf(self);
  return experiments.filter((e) => e.id !== id && sharedDays(w, windowOf(e)) > 0).map((e) => e.id).sort();
}

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
