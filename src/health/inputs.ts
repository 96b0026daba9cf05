/** What `xp health` reads for one experiment (read-health.ts), and the clock it judges against. */
import type { Experiment } from '../project/types.ts';

export interface VariantCount {
  readonly variant: string;
  readonly expectedShare: number;
  readonly observed: number;
}

export interface DailyCount extends VariantCount {
  readonly dayIndex: number;
  readonly day: string | null;
}

export interface MetricDay {
  readonly metric: string;
  readonly variant: string;
  readonly dayIndex: number;
  readonly day: string | null;
  /** users the day's value is over (exposed by the end of that day) */
  readonly n: number;
  readonly sum: number;
  readonly sumSquares: number;
}

export interface HealthInputs {
  readonly experiment: Experiment;
  readonly asOf: Date;
  /** false: the experiment's partitions were never built */
  readonly built: boolean;
  readonly overall: readonly VariantCount[];
  readonly daily: readonly DailyCount[];
  /** post-period days only */
  readonly metricDays: readonly MetricDay[];
  /** newest raw exposure or outcome timestamp (ISO), if any */
  readonly newestEvent: string | null;
  /** dq_results' multi_variant_users row */
  readonly multiVariant: { readonly observed: number; readonly threshold: number; readonly details: string } | null;
  /**
   * analysed users first exposed before as-of, and those among them whose exposure was
   * logged more than once (same variant); `asOfNarrowed` when the warehouse holds users
   * exposed later (data after as-of exists)
   */
  readonly exposures: { readonly users: number; readonly repeated: number; readonly asOfNarrowed?: boolean } | null;
}
