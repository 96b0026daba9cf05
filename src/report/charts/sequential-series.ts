/**
 * The sequential picture: the primary metric's z statistic day by day against the
 * efficacy boundary, in information time (users so far / planned users per arm). The
 * planned boundary is the design's (K equally spaced looks); the looks the experiment
 * actually took come from the sequential plugin's rows. Pure.
 */
import { groupSequentialBounds } from '../../stats/index.ts';
import type { Experiment } from '../../project/types.ts';
import type { LiftPoint } from './lift-series.ts';

export interface ZPoint {
  readonly variant: string;
  readonly day: string | null;
  readonly information: number;
  readonly z: number;
}

export interface BoundaryPoint {
  readonly look: number;
  readonly information: number;
  readonly boundary: number;
}

export interface SequentialSeries {
  readonly path: readonly ZPoint[];
  readonly planned: readonly BoundaryPoint[];
  readonly taken: readonly (BoundaryPoint & { readonly z: number | null })[];
}

export interface TakenLook {
  readonly look: number;
  readonly information: number;
  readonly z: number | null;
  readonly boundary: number | null;
}

/** `obrien_fleming` in the config, `obrien-fleming` in the statistics module. */
export function spendingOf(experiment: Experiment): 'obrien-fleming' | 'pocock' {
  return experiment.sequential?.spending === 'pocock' ? 'pocock' : 'obrien-fleming';
}

export function sequentialSeries(experiment: Experiment, primaryLift: readonly LiftPoint[], taken: readonly TakenLook[]): SequentialSeries | undefined {
  const seq = experiment.sequential;
  if (!seq) return undefined;
  const fractions = Array.from({ length: seq.looks }, (_, i) => (i + 1) / seq.looks);
  const bounds = groupSequentialBounds({ informationFractions: fractions, alpha: seq.alpha, sided: 2, spending: spendingOf(experiment) });
  const planned = fractions.map((information, i) => ({ look: i + 1, information, boundary: bounds.zBounds[i]! }))
    .filter((b) => Number.isFinite(b.boundary));
  const path = primaryLift.map((p) => ({ variant: p.variant, day: p.day, information: Math.min(1, p.n / seq.target_n_per_arm), z: p.z }));
  return {
    path,
    planned,
    taken: taken
      .filter((l) => l.boundary !== null && Number.isFinite(l.boundary) && Number.isFinite(l.information))
      .map((l) => ({ look: l.look, information: l.information, boundary: l.boundary!, z: l.z })),
  };
}
