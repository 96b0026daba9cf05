import { definePlugin } from '../../analyse/plugin.ts';
import { abRows } from '../lib/ab-rows.ts';
import { loadOverall } from '../lib/aggregates.ts';
import { decisionConfig, metricPlans } from '../lib/settings.ts';
import { ANALYSIS_RESULTS } from '../tables.ts';

/**
 * A/B(/n) inference: every metric × every treatment against the control. Binomial metrics
 * use the score test, mean metrics Welch's t-test, ratio metrics the delta method, quantile
 * metrics GrowthBook's quantile test; a metric's `prior` shrinks its Bayesian read-out; p-values
 * are adjusted across treatments by the experiment's `correction` (Holm by default);
 * guardrails get a one-sided non-inferiority test at their relative margin.
 */
export default definePlugin({
  name: 'ab',
  description: 'A/B/n lift, CIs, adjusted p-values, Bayesian read-out and guardrail non-inferiority per metric and treatment',
  reads: ['metric_aggregates_overall'],
  writes: { analysis_results: ANALYSIS_RESULTS },
  async run(ctx) {
    const rows = abRows({
      experiment: ctx.experiment,
      plans: metricPlans(ctx.experiment, ctx.metrics),
      aggregates: await loadOverall(ctx),
      decision: decisionConfig(ctx.experiment),
    });
    for (const r of rows) {
      if (r.status !== 'ok') ctx.warn(`${r.metric} ${r.variant} vs ${r.control_variant}: not estimable (${r.reason}: ${r.reason_detail})`);
    }
    return { analysis_results: rows };
  },
});
