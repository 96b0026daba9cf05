import { definePlugin } from '../../analyse/plugin.ts';
import { loadDaily } from '../lib/aggregates.ts';
import { pretrendRows } from '../lib/pretrend-rows.ts';
import { metricPlans } from '../lib/settings.ts';
import { DID_PRETREND_DELTA, DID_PRETREND_TESTS } from '../tables.ts';

/**
 * Parallel-trends diagnostics for the DiD: daily treatment − control deltas (pre period and
 * window) and, on the pre days, a slope test and a joint test of the leads. Optional: a
 * failure warns and the build goes on.
 */
export default definePlugin({
  name: 'pretrends',
  description: 'daily treatment − control deltas and pre-trend tests (slope, joint) of the pre period',
  reads: ['metric_aggregates_daily'],
  writes: { did_pretrend_delta: DID_PRETREND_DELTA, did_pretrend_tests: DID_PRETREND_TESTS },
  optional: true,
  async run(ctx) {
    const { deltas, tests } = pretrendRows({ experiment: ctx.experiment, plans: metricPlans(ctx.experiment, ctx.metrics), daily: await loadDaily(ctx) });
    for (const t of tests) {
      if (t.verdict === 'fail') ctx.warn(`${t.metric} ${t.variant}: the pre period trends apart from ${t.control_variant} (slope p = ${t.slope_p_value?.toPrecision(2)}, joint p = ${t.joint_p_value?.toPrecision(2)}); DiD and CUPED may be biased`);
      else if (t.status !== 'ok' && t.metric === ctx.experiment.primary_metric) ctx.warn(`${t.metric} ${t.variant}: pre-trend test not estimable (${t.reason}: ${t.reason_detail})`);
    }
    return { did_pretrend_delta: deltas, did_pretrend_tests: tests };
  },
});
