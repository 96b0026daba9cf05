import { definePlugin } from '../../analyse/plugin.ts';
import { decisionConfig } from '../lib/settings.ts';
import { srmRows, type SrmCount } from '../lib/srm-rows.ts';
import { SRM_RESULTS } from '../tables.ts';

/** Sample-ratio mismatch: chi-square of the arm sizes against the configured split, overall and by day. */
export default definePlugin({
  name: 'srm',
  description: 'sample-ratio mismatch test, overall and cumulative by day, at the decision SRM threshold',
  reads: ['srm_counts'],
  writes: { srm_results: SRM_RESULTS },
  async run(ctx) {
    const counts = await ctx.query<Record<string, unknown>>(
      'select grain, cast(day as varchar) as day, day_index, variant, expected_share, observed, observed_cum from exp.srm_counts where experiment_id = $experiment_id',
    );
    const rows = srmRows(
      counts.map((c): SrmCount => ({
        grain: c['grain'] === 'overall' ? 'overall' : 'daily',
        day: c['day'] === null ? null : String(c['day']),
        day_index: c['day_index'] === null ? null : Number(c['day_index']),
        variant: String(c['variant']),
        expected_share: Number(c['expected_share']),
        observed: Number(c['observed'] ?? 0),
        observed_cum: Number(c['observed_cum'] ?? 0),
      })),
      [ctx.experiment.control, ...ctx.experiment.treatments],
      decisionConfig(ctx.experiment).srm_threshold,
    );
    const overall = rows.find((r) => r.grain === 'overall');
    if (overall?.mismatch) ctx.warn(`sample-ratio mismatch: p = ${overall.p_value?.toPrecision(3)} < ${overall.threshold} (observed ${JSON.stringify(overall.observed)})`);
    return { srm_results: rows };
  },
});
