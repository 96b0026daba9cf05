/**
 * The rows of did_results (pure): a 2×2 difference-in-differences per metric and treatment
 * from each user's pre-period and post-period value, with user-clustered (CR2) standard
 * errors (src/stats/did.ts).
 */
import { differenceInDifferences, isNotEstimable } from '../../stats/index.ts';
import type { Experiment } from '../../project/types.ts';
import { didStats, key, type OverallAggregate } from './aggregates.ts';
import type { MetricPlan } from './settings.ts';
import type { DidRow } from '../tables.ts';

export interface DidInput {
  readonly experiment: Pick<Experiment, 'control' | 'treatments' | 'alpha' | 'pre_period_days'>;
  readonly plans: readonly MetricPlan[];
  readonly aggregates: readonly OverallAggregate[];
}

const mean = (sum: number, n: number): number | null => (n > 0 ? sum / n : null);

export function didRows(input: DidInput): DidRow[] {
  const { experiment } = input;
  const alpha = experiment.alpha;
  const aggregates = new Map(input.aggregates.map((a) => [key(a.metric, a.variant), a]));
  const rows: DidRow[] = [];
  for (const plan of input.plans) {
    const c = aggregates.get(key(plan.name, experiment.control));
    for (const variant of experiment.treatments) {
      const t = aggregates.get(key(plan.name, variant));
      const base: DidRow = {
        metric: plan.name, metric_type: plan.type, metric_role: plan.role, control_variant: experiment.control, variant,
        pre_period_days: experiment.pre_period_days, alpha, control_n: c?.n ?? null, treatment_n: t?.n ?? null,
      };
      const notEligible = (reason: string, detail: string): DidRow => ({ ...base, status: 'not-eligible', reason, reason_detail: detail });
      if (!c || !t) { rows.push(notEligible('NO_AGGREGATES', `metric_aggregates_overall has no row for ${plan.name}`)); continue; }
      if (plan.type === 'quantile') { rows.push(notEligible('QUANTILE_METRIC', 'difference-in-differences compares means; a quantile metric has none')); continue; }
      if (plan.type === 'ratio') { rows.push(notEligible('RATIO_METRIC', 'the user-level DiD needs a per-user metric; a ratio of sums has no per-user pre/post pair')); continue; }
      if (experiment.pre_period_days === 0) { rows.push(notEligible('NO_PRE_PERIOD', 'the experiment has pre_period_days: 0')); continue; }
      const means = {
        control_pre_mean: mean(c.pre_sum, c.n), control_post_mean: mean(c.sum, c.n),
        treatment_pre_mean: mean(t.pre_sum, t.n), treatment_post_mean: mean(t.sum, t.n),
      };
      const r = differenceInDifferences(didStats(c), didStats(t), { alpha });
      if (isNotEstimable(r)) { rows.push({ ...base, ...means, status: 'not-estimable', reason: r.reason, reason_detail: r.detail }); continue; }
      rows.push({
        ...base, ...means,
        status: 'ok', reason: null, reason_detail: null,
        control_change: r.controlChange, treatment_change: r.treatmentChange,
        estimate: r.estimate, se: r.se, ci_lower: r.ci[0], ci_upper: r.ci[1], p_value: r.pValue, statistic: r.statistic, df: r.df,
      });
    }
  }
  return rows;
}
