import { definePlugin } from '../../analyse/plugin.ts';
import { decisionConfig } from '../lib/settings.ts';
import { DEFAULT_MAX_LEVELS, DEFAULT_MIN_USERS, srmDebugHeadline, srmDebugRows } from '../lib/srm-debug-rows.ts';
import { SRM_DEBUG_RESULTS } from '../tables.ts';

/**
 * The SRM debugger: the sample-ratio test within each level of every configured dimension
 * and of each exposure day, ranked, so a failed SRM says where the imbalance comes from.
 * Informative only: the decision reads the overall SRM (srm), never these rows.
 */
export default definePlugin({
  name: 'srm_debug',
  description: 'SRM debugger: the split tested per level of each dimension and per day, Holm-adjusted within a dimension, ranked by p-value',
  reads: ['srm_dimension_counts'],
  writes: { srm_debug_results: SRM_DEBUG_RESULTS },
  async run(ctx) {
    const counts = await ctx.query<{ dimension: string; level: string; variant: string; observed: number }>(
      'select dimension, level, variant, observed from exp.srm_dimension_counts where experiment_id = $experiment_id',
    );
    const variants = [ctx.experiment.control, ...ctx.experiment.treatments];
    const rows = srmDebugRows(counts.map((c) => ({ ...c, observed: Number(c.observed) })), {
      variants,
      shares: variants.map((v) => ctx.experiment.variants[v]!),
      threshold: decisionConfig(ctx.experiment).srm_threshold,
      maxLevels: ctx.experiment.dimension_max_levels ?? DEFAULT_MAX_LEVELS,
      minUsers: DEFAULT_MIN_USERS,
    });
    if (rows[0]?.overall_mismatch) {
      const headline = srmDebugHeadline(rows, variants);
      ctx.warn(`SRM debugger: ${headline ?? 'no single dimension level or day is out of balance after correction: the imbalance is spread thinly'}`);
    }
    const few = rows.filter((r) => r.few_users && r.dimension !== 'day');
    if (few.length) ctx.warn(`SRM debugger: ${few.length} dimension level${few.length > 1 ? 's have' : ' has'} fewer than ${DEFAULT_MIN_USERS} users (${few.slice(0, 3).map((r) => `${r.dimension} = ${r.level}`).join(', ')}${few.length > 3 ? ', …' : ''}): their tests have little power`);
    return { srm_debug_results: rows };
  },
});
