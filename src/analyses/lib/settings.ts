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
  /** guardrails: relative non-inferiority margin (the metric's `margin`, else the decision default) */
  readonly margin: number | null;
}

/** CUPED is applied when the pooled |corr(y, x)| reaches this (a variance reduction of >= 1%). */
export const CUPED_MIN_CORRELATION = 0.1;

/** The pre-trend tests need at least this many pre-period days (one week: weekday effects). */
export const PRETREND_MIN_DAYS = 7;

/** Every metric of the experiment in config order (primary, secondaries, guardrails). */
export function metricPlans(experiment: Experiment, metrics: Readonly<Record<string, MetricConfig>>): MetricPlan[] {
  const decision = decisionConfig(experiment);
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
      margin: role === 'guardrail' ? m.margin ?? decision.guardrail_margin : null,
    };
  });
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
