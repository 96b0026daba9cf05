/**
 * A layer's traffic must fit: at every moment, the experiments of one layer whose windows
 * are open take at most 100% of the layer's users (each its `traffic`, default 100%), as
 * Google's overlapping-experiment layers allot disjoint slices of one layer (Tang et al.
 * 2010, "Overlapping Experiment Infrastructure", KDD). The sum only rises when a window
 * opens, so checking each experiment's first day checks every day.
 */
import { XpError } from '../core/errors.ts';
import type { Experiment } from './types.ts';
import { isoDay, windowOf } from './windows.ts';

/** Shares are written with two or three decimals: 0.34 + 0.33 + 0.33 is full, not over. */
const TRAFFIC_TOLERANCE = 1e-6;

const pct = (x: number): string => `${+(x * 100).toFixed(2)}%`;

export function trafficOf(e: Experiment): number {
  return e.traffic ?? 1;
}

export function checkLayerCapacity(experiments: readonly Experiment[]): void {
  const layers = new Map<string, Experiment[]>();
  for (const e of experiments) if (e.layer !== undefined) layers.set(e.layer, [...(layers.get(e.layer) ?? []), e]);
  for (const [layer, members] of layers) {
    const byStart = [...members].sort((a, b) => windowOf(a).start - windowOf(b).start || a.id.localeCompare(b.id));
    for (const opening of byStart) {
      const day = windowOf(opening).start;
      const open = byStart.filter((e) => windowOf(e).start <= day && day < windowOf(e).end);
      const total = open.reduce((s, e) => s + trafficOf(e), 0);
      if (total > 1 + TRAFFIC_TOLERANCE) {
        throw new XpError('CONFIG_INVALID', `layer ${layer} is over 100% on ${isoDay(day)}: ${open.map((e) => `${e.id} (${pct(trafficOf(e))})`).join(' + ')} = ${pct(total)}`, {
          location: { file: opening.file, line: opening.line, experiment: opening.id },
          hint: 'lower traffic: on these experiments so they sum to at most 1, or move a start (xp schedule proposes the earliest start that fits)',
        });
      }
    }
  }
}
