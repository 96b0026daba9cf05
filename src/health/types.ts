/**
 * Experiment health: what `xp health` checks while an experiment runs, each check's
 * status and what it costs the score. Thresholds are a readonly config with defaults.
 */
import { defaultDecisionConfig } from '../project/config-schema.ts';

export type HealthStatus = 'ok' | 'warn' | 'critical' | 'unknown';

export type CheckName = 'data' | 'pace' | 'split' | 'srm' | 'srm_daily' | 'freshness' | 'anomalies' | 'multiple_exposures'
  /** portfolio checks (portfolio-checks.ts): users shared in a layer; flagged overlapping pairs */
  | 'layer' | 'overlaps';

export interface HealthCheck {
  readonly check: CheckName;
  readonly status: HealthStatus;
  /** the measured value in words: "52.3% / 47.7%", "9.2 days", … */
  readonly value: string;
  /** what it means and what to do */
  readonly detail: string;
  /** points taken off the score (0 when ok) */
  readonly deduction: number;
}

export interface ExperimentHealth {
  readonly experimentId: string;
  readonly name: string | null;
  /** the ledger's lifecycle status, or "not in the ledger" */
  readonly lifecycle: string;
  /** 100 minus the deductions, at least 0 */
  readonly score: number;
  /** the worst check status */
  readonly status: HealthStatus;
  readonly checks: readonly HealthCheck[];
}

export interface HealthReport {
  /** the time every check judges the data at (ISO): the days complete by then, the events before it */
  readonly asOf: string;
  readonly experiments: readonly ExperimentHealth[];
  /** true when any experiment is critical: `xp health` exits 1 */
  readonly critical: boolean;
  readonly note: string | null;
}

export interface HealthThresholds {
  /** SRM p-value below this is critical (the experiment's decision.srm_threshold wins; the default is the decision rules') */
  readonly srmP: number;
  /** a planned share missed by more than this fraction of itself warns (0.05: 50% → ±2.5 pp) */
  readonly splitRelative: number;
  /** users per arm below this fraction of the pro-rata plan warns while the window runs (a missed plan at the end always warns) */
  readonly paceWarn: number;
  /** newest event older than this many hours (vs as-of, or the window end) warns / is critical */
  readonly freshWarnHours: number;
  readonly freshCriticalHours: number;
  /** a day's value with |robust z| above this is an anomaly */
  readonly anomalyZ: number;
  /** fewest complete days before anomalies are looked for */
  readonly anomalyMinDays: number;
  /** a daily metric value needs at least this many users to be judged */
  readonly anomalyMinUsers: number;
  readonly deductions: { readonly warn: number; readonly critical: number; readonly unknown: number };
}

export const defaultHealthThresholds: HealthThresholds = {
  srmP: defaultDecisionConfig.srm_threshold,
  splitRelative: 0.05,
  paceWarn: 0.8,
  freshWarnHours: 24,
  freshCriticalHours: 48,
  anomalyZ: 5,
  anomalyMinDays: 7,
  anomalyMinUsers: 50,
  deductions: { warn: 10, critical: 40, unknown: 5 },
};
