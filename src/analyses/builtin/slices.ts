import { definePlugin } from '../../analyse/plugin.ts';
import { sliceRows } from '../lib/slice-rows.ts';
import type { SliceAggregate } from '../model-rows.ts';
import type { MetricType } from '../lib/aggregates.ts';
import { DEFAULT_MAX_LEVELS, DEFAULT_MIN_USERS } from '../lib/srm-debug-rows.ts';
import { SLICE_RESULTS } from '../tables.ts';

const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

/**
 * Dimension slices: every metric's comparison within each level of each dimension (top
 * levels + other), Holm-adjusted across a dimension's levels. For understanding only: the
 * decision never reads slice_results, as it never reads the anchors.
 */
export default definePlugin({
  name: 'slices',
  description: 'dimension slices: each metric compared within each level of each dimension (top levels + other), Holm across the levels of a dimension; never read by the decision',
  reads: ['slice_aggregates'],
  writes: { slice_results: SLICE_RESULTS },
  async run(ctx) {
    const raw = await ctx.query('select * exclude (experiment_id) from exp.slice_aggregates where experiment_id = $experiment_id order by dimension, level, variant, metric');
    const aggregates = raw.map((r): SliceAggregate => ({
      dimension: String(r['dimension']), level: String(r['level']), variant: String(r['variant']), metric: String(r['metric']),
      metric_type: r['metric_type'] as MetricType, n: Number(r['n'] ?? 0), sum: Number(r['sum'] ?? 0), sum_squares: Number(r['sum_squares'] ?? 0),
      denominator_sum: numOrNull(r['denominator_sum']), denominator_sum_squares: numOrNull(r['denominator_sum_squares']), numerator_denominator_sum: numOrNull(r['numerator_denominator_sum']),
    }));
    const rows = sliceRows(aggregates, {
      control: ctx.experiment.control, treatments: ctx.experiment.treatments, metrics: ctx.experiment.metricNames,
      alpha: ctx.experiment.alpha, maxLevels: ctx.experiment.dimension_max_levels ?? DEFAULT_MAX_LEVELS, minUsers: DEFAULT_MIN_USERS,
    });
    const few = [...new Set(rows.filter((r) => r.few_users).map((r) => `${r.dimension} = ${r.level}`))];
    if (few.length) ctx.warn(`slices: ${few.length} level${few.length > 1 ? 's have' : ' has'} fewer than ${DEFAULT_MIN_USERS} users in an arm (${few.slice(0, 3).join(', ')}${few.length > 3 ? ', …' : ''}): read their results with care`);
    return { slice_results: rows };
  },
});
