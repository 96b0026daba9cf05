/**
 * Dimension slices in the memo (slice_results), for the dimensions `report.dimensions`
 * asks for: relative lift and Holm-adjusted p per level. Informative: the decision never
 * reads them, and the memo says so.
 */
import { fmtCount, fmtPercent, fmtPValue } from '../format.ts';
import type { ReportInputs } from '../inputs.ts';
import type { SliceSection } from '../memo-data.ts';

export function sliceSections(inputs: ReportInputs): SliceSection[] | undefined {
  const wanted = inputs.experiment.report?.dimensions ?? [];
  if (!wanted.length || !inputs.slices) return undefined;
  return wanted.map((dimension) => ({
    dimension,
    rows: inputs.slices!.filter((r) => r.dimension === dimension).map((r) => ({
      metric: r.metric ?? '',
      level: r.level ?? '',
      variant: r.variant ?? '',
      users: `${fmtCount(r.control_n)} / ${fmtCount(r.treatment_n)}`,
      lift: r.status === 'ok' ? fmtPercent(r.relative_lift, 1) : 'not estimable',
      pAdjusted: r.status === 'ok' ? fmtPValue(r.p_value_adjusted) : '—',
      note: r.few_users ? 'few users' : r.significant ? 'differs (Holm)' : '',
    })),
  }));
}
