/**
 * What the plugins need to know about an experiment beyond its aggregates: each metric's
 * role, direction and non-inferiority margin, the decision rules in force, and the fixed
 * thresholds of the analyses (documented in docs/statistics.md#plugins).
 */
import { defaultDecisionConfig, type DecisionConfig } from '../../project/config-schema.ts';
import type { Experiment, MetricConfig } from '../../project/types.ts';
import type { AdjustmentMethod } from '../../stats/index.ts';
import type { MetricType } from './aggregates.ts';

export type MetricRole = 'primary' | 'secondary' | 'guardrail';
export type Direction = 'increase' | 'decrease';

export interface MetricPlan {
  readonly name: string;
  readonly type: MetricType;
  readonly role: MetricRole;
  /** which way is good */
  readonly direction: Direction;
  /** the metric's relative `margin` (the largest acceptable harm), if set */
  readonly margin: number | null;
  /** guardrails with `noninferiority: true`: shipping needs non-inferiority shown at `margin` */
  readonly noninferiority: boolean;
  /**
   * The pre-registered estimator, fixed by the design before any data: CUPED when the
   * experiment uses variance reduction and the metric has a per-user pre-period value
   * (binomial and mean metrics with pre_period_days > 0), else the raw difference.
   */
  readonly estimator: Estimator;
  /** the metric's `prior` on the relative effect (Bayesian read-out), or null for a flat prior */
  readonly prior?: EffectPriorConfig | null;
  /** quantile metrics: the quantile level compared (config `quantile`) */
  readonly quantile?: number | null;
}

/** A normal prior on the relative effect: mean and standard deviation (config `prior:`). */
export interface EffectPriorConfig {
  readonly mean: number;
  readonly sd: number;
}

export type Estimator = 'cuped' | 'raw';

/** CUPED is applied when the pooled |corr(y, x)| reaches this (a variance reduction of >= 1%). */
export const CUPED_MIN_CORRELATION = 0.1;

/** The pre-trend tests need at least this many pre-period days (one week: weekday effects). */
export const PRETREND_MIN_DAYS = 7;

/** Every metric of the experiment in config order (primary, secondaries, guardrails). */
export function metricPlans(experiment: Experiment, metrics: Readonly<Record<string, MetricConfig>>): MetricPlan[] {
  return experiment.metricNames.map((name) => {
    const m = metrics[name];
    if (!m) throw new Error(`metric ${name} of experiment ${experiment.id} has no definition`);
    const role: MetricRole =
      name === experiment.primary_metric ? 'primary'
      : experiment.guardrails.includes(name) || m.guardrail ? 'guardrail'
      : 'secondary';
    return {
      name,
      type: m.type,
      role,
      direction: m.direction,
      margin: m.margin ?? null,
      noninferiority: role === 'guardrail' && m.noninferiority && m.margin !== undefined,
      estimator: preRegisteredEstimator(experiment, m.type),
      prior: m.prior ?? null,
      quantile: m.type === 'quantile' ? m.quantile : null,
    };
  });
}

/** CUPED where the design gives the metric a covariate (docs/statistics.md#decision-rules). */
export function preRegisteredEstimator(experiment: Pick<Experiment, 'variance_reduction' | 'pre_period_days'>, type: MetricConfig['type']): Estimator {
  return experiment.variance_reduction === 'cuped' && experiment.pre_period_days > 0 && (type === 'binomial' || type === 'mean') ? 'cuped' : 'raw';
}

export function decisionConfig(experiment: Pick<Experiment, 'decision'>): DecisionConfig {
  return { ...defaultDecisionConfig, ...(experiment.decision ?? {}) };
}

/** Is an effect of this sign good for a metric with this direction? */
export function isFavourable(direction: Direction, estimate: number): boolean {
  return direction === 'increase' ? estimate > 0 : estimate < 0;
}

/** The experiment's `correction`, or null for none. */
export function adjustmentMethod(correction: Experiment['correction']): AdjustmentMethod | null {
  return correction === 'none' ? null : correction;
}
