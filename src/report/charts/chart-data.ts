/**
 * Everything the report's charts show, as plain numbers: computed once from the report
 * inputs (pure), fingerprinted with the memo data, then drawn by render-charts.ts.
 */
import type { SequentialRow } from '../../analyses/tables.ts';
import { normalQuantile } from '../../stats/index.ts';
import type { ReportInputs } from '../inputs.ts';
import { cumulativeLift, dailyDelta, type DeltaPoint, type LiftPoint } from './lift-series.ts';
import { sequentialSeries, type SequentialSeries, type TakenLook } from './sequential-series.ts';
import type { SharePoint } from './specs.ts';

export interface ChartData {
  readonly confidence: string;
  readonly control: string;
  readonly treatments: readonly string[];
  readonly variants: readonly string[];
  readonly primaryMetric: string;
  readonly lift: readonly { readonly metric: string; readonly points: readonly LiftPoint[] }[];
  readonly sequential: SequentialSeries | null;
  readonly shares: readonly SharePoint[];
  /** the primary metric's daily treatment − control; `metricType` binomial draws it in percentage points */
  readonly did: readonly { readonly treatment: string; readonly metricType: string; readonly points: readonly DeltaPoint[] }[];
}

/** The looks recorded by the sequential plugin (exp.sequential_looks), in the shape the chart needs. */
export function takenLooks(rows: readonly SequentialRow[]): TakenLook[] {
  return rows
    .map((r) => ({
      look: r.look ?? 0,
      information: r.information_fraction ?? NaN,
      z: r.z ?? null,
      boundary: r.boundary ?? null,
    }))
    .filter((l) => l.look > 0)
    .sort((a, b) => a.look - b.look);
}

/**
 * Numbers to 6 significant digits, recursively. The warehouse's sums of doubles can differ
 * in the last bits between two builds of the same data (DuckDB adds in parallel, in no
 * fixed order); rounding far below what a chart can show keeps the SVG, and the memo's
 * fingerprint, the same bytes.
 */
export function roundNumbers<T>(value: T, sig = 6): T {
  if (typeof value === 'number') return (Number.isFinite(value) && value !== 0 ? Number(value.toPrecision(sig)) : value) as T;
  if (Array.isArray(value)) return value.map((v) => roundNumbers(v, sig)) as T;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, roundNumbers(v, sig)])) as T;
  }
  return value;
}

export function chartData(inputs: ReportInputs): ChartData {
  const e = inputs.experiment;
  const alpha = e.alpha;
  const variants = [e.control, ...e.treatments];
  // a quantile metric has no daily quantiles: its lift is not charted over time
  const lift = e.metricNames.filter((metric) => inputs.metrics[metric]?.type !== 'quantile').map((metric) => ({ metric, points: cumulativeLift(inputs.daily, metric, e.control, e.treatments, alpha) }));
  const primary = lift.find((l) => l.metric === e.primary_metric)?.points ?? [];
  const shares: SharePoint[] = inputs.srmCounts
    .filter((r) => r.grain === 'daily' && r.day_index !== null)
    .map((r) => ({
      variant: r.variant,
      dayIndex: r.day_index!,
      daily: r.total > 0 ? r.observed / r.total : null,
      cumulative: r.total_cum > 0 ? r.observed_cum / r.total_cum : null,
      expected: r.expected_share,
    }))
    .sort((a, b) => a.dayIndex - b.dayIndex || variants.indexOf(a.variant) - variants.indexOf(b.variant));
  const z = normalQuantile(1 - alpha / 2);
  return roundNumbers({
    confidence: `${Number(((1 - alpha) * 100).toPrecision(4))}%`,
    control: e.control,
    treatments: e.treatments,
    variants,
    primaryMetric: e.primary_metric,
    lift,
    sequential: sequentialSeries(e, primary, takenLooks(inputs.tables.sequential_looks)) ?? null,
    shares,
    did: e.treatments.map((treatment) => ({
      treatment,
      metricType: inputs.metrics[e.primary_metric]?.type ?? inputs.daily.find((r) => r.metric === e.primary_metric)?.metric_type ?? 'mean',
      points: dailyDelta(inputs.daily, e.primary_metric, e.control, treatment, z),
    })),
  });
}
