/**
 * What `xp overlaps` reports about pairs of experiments whose windows overlap: the users
 * exposed to both, whether their arms were assigned independently, whether the pair
 * interacts on its primary metrics, and the flags that follow (after a multiplicity
 * correction over the pairs).
 */
import type { CellStats, IndependenceResult, InteractionResult } from '../stats/index.ts';

/** Why a pair is flagged: a dependent assignment, an interaction, users in two experiments of one layer. */
export type OverlapFlag = 'dependent_assignment' | 'interaction' | 'layer_violation';

/** The warehouse's view of one pair: arm × arm user counts and the metric cells. */
export interface PairData {
  readonly a: string;
  readonly b: string;
  /** analysed users of each experiment (core exposures) */
  readonly usersA: number;
  readonly usersB: number;
  /** variant names in config order, control first */
  readonly armsA: readonly string[];
  readonly armsB: readonly string[];
  /** users in both, by arm of A (rows) × arm of B (columns) */
  readonly table: readonly (readonly number[])[];
  /** each experiment's primary metric cells among users in both: A's, then B's */
  readonly metrics: readonly MetricCells[];
}

export interface MetricCells {
  /** the experiment whose metric (and window) the values are */
  readonly experimentId: string;
  readonly metric: string;
  /** cells[a][b], or why the metric has none */
  readonly cells: readonly (readonly CellStats[])[] | { readonly unsupported: string };
}

export interface InteractionFinding {
  readonly experimentId: string;
  readonly metric: string;
  /** not run: fewer users per cell than the minimum, or a metric the test cannot read */
  readonly skipped: string | null;
  readonly result: InteractionResult | null;
  /** Benjamini–Hochberg adjusted over every interaction test of the run */
  readonly adjustedP: number | null;
}

export interface PairReport {
  readonly a: string;
  readonly b: string;
  /** both in this layer (they must then share no user) */
  readonly layer: string | null;
  /** days both windows share */
  readonly sharedDays: number;
  readonly usersBoth: number;
  /** usersBoth / analysed users of A, of B (null when an experiment has none) */
  readonly shareOfA: number | null;
  readonly shareOfB: number | null;
  readonly table: readonly (readonly number[])[];
  readonly armsA: readonly string[];
  readonly armsB: readonly string[];
  readonly independence: IndependenceResult | null;
  /** Benjamini–Hochberg adjusted over every pair's independence test */
  readonly independenceAdjustedP: number | null;
  readonly interactions: readonly InteractionFinding[];
  readonly flags: readonly OverlapFlag[];
  /** one sentence per flag, for the memo, `xp health` and the dashboard */
  readonly findings: readonly string[];
}

export interface OverlapReport {
  readonly alpha: number;
  readonly correction: 'bh';
  readonly minCellUsers: number;
  readonly pairs: readonly PairReport[];
  /** experiments skipped (never built), and other notes */
  readonly notes: readonly string[];
}

export interface OverlapSettings {
  /** flag an adjusted p-value below this */
  readonly alpha: number;
  /** the interaction test runs when every arm × arm cell has at least this many users */
  readonly minCellUsers: number;
}

export const defaultOverlapSettings: OverlapSettings = { alpha: 0.05, minCellUsers: 100 };
