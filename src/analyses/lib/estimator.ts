/**
 * The pre-registered estimator of a metric (settings.ts `preRegisteredEstimator`): the one
 * comparison whose estimate, interval and p-value the results, the sequential look and the
 * decision all use, so "significant" and the interval can never disagree.
 *
 * CUPED (Deng, Xu, Kohavi & Walker 2013, eq. 4; the pooled theta of stats/cuped.ts): a
 * z-test of y − θ(x − x̄). A covariate with zero variance carries no information: θ = 0,
 * and CUPED is the raw z-test of y, as the regression estimator reduces to it.
 */
import { cupedTest, isNotEstimable, type Alternative } from '../../stats/index.ts';
import { cupedStats, type ArmStats } from './aggregates.ts';
import { compare, type ComparisonResult } from './compare.ts';
import type { MetricPlan } from './settings.ts';
import type { OverallAggregate } from '../model-rows.ts';

export interface EstimateConfig {
  readonly alpha: number;
  readonly difference: 'absolute' | 'relative';
  readonly alternative?: Alternative;
  readonly margin?: number;
}

/** The raw comparison of the arms (no covariate). */
export function rawEstimate(plan: Pick<MetricPlan, 'type' | 'quantile'>, c: ArmStats, t: ArmStats, cfg: EstimateConfig): ComparisonResult {
  return compare(plan.type, c, t, cfg, plan.quantile ?? undefined);
}

/** The metric's pre-registered comparison: CUPED on the overall rows, or the raw one. */
export function preRegisteredEstimate(
  plan: Pick<MetricPlan, 'type' | 'estimator' | 'quantile'>,
  rows: { readonly control: OverallAggregate; readonly treatment: OverallAggregate },
  arms: { readonly control: ArmStats; readonly treatment: ArmStats },
  cfg: EstimateConfig,
): ComparisonResult {
  if (plan.estimator === 'raw') return rawEstimate(plan, arms.control, arms.treatment, cfg);
  const r = cupedTest(cupedStats(rows.control), cupedStats(rows.treatment), cfg);
  if (isNotEstimable(r)) {
    return r.reason === 'NO_COVARIATE' ? rawEstimate(plan, arms.control, arms.treatment, cfg) : r;
  }
  return {
    status: 'ok', estimate: r.estimate, se: r.se, ci: r.ci, pValue: r.pValue, statistic: r.statistic, df: null,
    controlMean: r.controlMean, treatmentMean: r.treatmentMean,
  };
}
