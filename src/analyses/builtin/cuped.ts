import { definePlugin } from '../../analyse/plugin.ts';
import { loadOverall } from '../lib/aggregates.ts';
import { cupedRows } from '../lib/cuped-rows.ts';
import { metricPlans } from '../lib/settings.ts';
import { ANALYSIS_RESULTS_CUPED } from '../tables.ts';

/**
 * CUPED (Deng et al. 2013) with each user's pre-period value of the metric as covariate,
 * raw and adjusted side by side. Eligible when the experiment has a pre period and the
 * pooled correlation reaches CUPED_MIN_CORRELATION (0.1); otherwise a not-eligible row.
 * Ratio metrics are adjusted by their pre-period ratio (ratioCupedTest, gbstats'
 * regression-adjusted ratio), eligible when that reduces the variance by >= 1%; quantile
 * metrics are not eligible.
 */
export default definePlugin({
  name: 'cuped',
  description: 'CUPED variance reduction with the pre-period covariate: raw vs adjusted lift, theta, variance reduction',
  reads: ['metric_aggregates_overall'],
  writes: { analysis_results_cuped: ANALYSIS_RESULTS_CUPED },
  async run(ctx) {
    return {
      analysis_results_cuped: cupedRows({ experiment: ctx.experiment, plans: metricPlans(ctx.experiment, ctx.metrics), aggregates: await loadOverall(ctx) }),
    };
  },
});
