import { definePlugin } from '../../analyse/plugin.ts';
import { loadOverall } from '../lib/aggregates.ts';
import { didRows } from '../lib/did-rows.ts';
import { metricPlans } from '../lib/settings.ts';
import { DID_RESULTS } from '../tables.ts';

/** 2×2 difference-in-differences (pre period vs post period, treatment vs control), user-clustered SEs. */
export default definePlugin({
  name: 'did',
  description: 'difference-in-differences of each user\'s post- minus pre-period value, treatment vs control',
  reads: ['metric_aggregates_overall'],
  writes: { did_results: DID_RESULTS },
  async run(ctx) {
    return { did_results: didRows({ experiment: ctx.experiment, plans: metricPlans(ctx.experiment, ctx.metrics), aggregates: await loadOverall(ctx) }) };
  },
});
