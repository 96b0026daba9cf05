/**
 * Vega-Lite specs of the report's four charts, from the pure series. Data is inlined (the
 * report is one self-contained file); days are numbers (day 0 = the start), never dates,
 * so nothing depends on the time zone of the machine that renders.
 *
 * Every chart is drawn at the same outer size (autosize fit, padding included) and the
 * report scales each to the card's width, so titles, axes and legends have one font size
 * in every chart. The legend shows each line's own colour (the pale interval bands have
 * no legend of their own).
 */
import type { VegaLiteSpec } from './vega-door.ts';
import type { DeltaPoint, LiftPoint } from './lift-series.ts';
import type { SequentialSeries } from './sequential-series.ts';

/** The outer size of every chart, padding and legend included; the report scales it to the card. */
export const WIDTH = 1000;
const HEIGHT = 300;
const PALETTE = ['#2f6fb0', '#d9822b', '#2b9a66', '#a14fb5', '#c23b3b'];

const base = {
  $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
  width: WIDTH,
  height: HEIGHT,
  autosize: { type: 'fit', contains: 'padding' },
  background: 'white',
  config: {
    font: 'Helvetica, Arial, sans-serif',
    title: { fontSize: 15, subtitleFontSize: 12, subtitleColor: '#59636e' },
    axis: { labelFontSize: 12, titleFontSize: 12, gridColor: '#e6e6e6' },
    legend: { labelFontSize: 12, titleFontSize: 12, orient: 'top' },
    view: { stroke: null },
  },
} as const;

const color = (domain: readonly string[]) => ({
  field: 'variant', type: 'nominal', title: 'variant', scale: { domain: [...domain], range: PALETTE.slice(0, Math.max(1, domain.length)) },
});

/**
 * The same colours as a fill without a legend, for the pale bands behind the lines: on
 * the color channel their pale swatch would become the legend's. With `bandLegend` (the
 * fill's legend resolved apart) the one legend left is the lines', in their full colour.
 */
const bandFill = (domain: readonly string[]) => ({ ...color(domain), legend: null });
const bandLegend = { resolve: { legend: { fill: 'independent', color: 'independent' } } } as const;

const dayAxis = { field: 'dayIndex', type: 'quantitative', title: 'day of the experiment (0 = start)', axis: { tickMinStep: 1, format: 'd' } } as const;

const zeroRule = { mark: { type: 'rule', color: '#777', strokeDash: [4, 3] }, encoding: { y: { datum: 0 } } };

/**
 * The y range of a lift chart: every day's estimate (no point is cut off, the first day's
 * included), and the intervals once an arm has a fifth of its final users (the first
 * days' intervals are so wide they would flatten everything else; they are clipped, not
 * dropped), always including zero.
 */
export function liftDomain(points: readonly LiftPoint[]): [number, number] {
  const maxN = Math.max(...points.map((p) => p.n));
  const settled = points.filter((p) => p.n >= maxN / 5);
  const lo = Math.min(0, ...settled.map((p) => p.lower), ...points.map((p) => p.estimate));
  const hi = Math.max(0, ...settled.map((p) => p.upper), ...points.map((p) => p.estimate));
  const pad = (hi - lo) * 0.08 || 0.01;
  return [lo - pad, hi + pad];
}

/** Cumulative relative lift of one metric, a band for its interval, one line per treatment. */
export function liftSpec(metric: string, points: readonly LiftPoint[], treatments: readonly string[], confidence: string): VegaLiteSpec {
  const domain = liftDomain(points);
  const y = { type: 'quantitative', title: 'relative lift', axis: { format: '+.1%' }, scale: { domain, nice: false } };
  return {
    ...base,
    title: { text: `${metric}: cumulative relative lift`, subtitle: `treatment vs control, with its ${confidence} interval (band)`, anchor: 'start' },
    data: { values: points.map((p) => ({ variant: p.variant, dayIndex: p.dayIndex, lift: p.estimate, lower: p.lower, upper: p.upper })) },
    ...bandLegend,
    layer: [
      {
        mark: { type: 'area', opacity: 0.18, clip: true },
        encoding: { x: dayAxis, y: { ...y, field: 'lower' }, y2: { field: 'upper' }, fill: bandFill(treatments) },
      },
      { mark: { type: 'line', point: true, strokeWidth: 2, clip: true }, encoding: { x: dayAxis, y: { ...y, field: 'lift' }, color: color(treatments) } },
      zeroRule,
    ],
  } as unknown as VegaLiteSpec;
}

/** The z statistic path in information time, against the planned and the applied boundaries (both sides). */
export function sequentialSpec(s: SequentialSeries, metric: string, treatments: readonly string[]): VegaLiteSpec {
  const bounds = [
    ...s.planned.flatMap((b) => [
      { kind: 'planned boundary', side: 'upper', information: b.information, z: b.boundary },
      { kind: 'planned boundary', side: 'lower', information: b.information, z: -b.boundary },
    ]),
  ];
  const taken = s.taken.flatMap((b) => [
    { kind: 'boundary at the looks taken', side: 'upper', look: b.look, information: b.information, z: b.boundary },
    { kind: 'boundary at the looks taken', side: 'lower', look: b.look, information: b.information, z: -b.boundary },
  ]);
  // the z each look taken recorded (the sequential plugin's statistic), ringed on the path
  const lookZ = s.taken.filter((b) => b.z !== null).map((b) => ({ look: b.look, information: b.information, z: b.z }));
  const x = { field: 'information', type: 'quantitative', title: 'information fraction (users so far / planned users per arm)', scale: { domain: [0, 1] }, axis: { format: '.0%' } };
  const y = { field: 'z', type: 'quantitative', title: 'z statistic' };
  return {
    ...base,
    title: {
      text: `${metric}: sequential z statistic`,
      subtitle: ['against the efficacy boundary (dashed: crossing either line stops the experiment)', 'rings: the z of each look taken · diamonds: the boundary it was held to'],
      anchor: 'start',
    },
    layer: [
      {
        data: { values: bounds },
        mark: { type: 'line', interpolate: 'step-after', color: '#c23b3b', strokeDash: [6, 4], point: { filled: true, size: 30, color: '#c23b3b' } },
        encoding: { x, y, detail: { field: 'side', type: 'nominal' } },
      },
      ...(taken.length ? [{
        data: { values: taken },
        mark: { type: 'point', shape: 'diamond', size: 90, filled: true, color: '#7a1f1f' },
        encoding: { x, y, tooltip: [{ field: 'look', type: 'quantitative' }] },
      }] : []),
      ...(lookZ.length ? [{
        data: { values: lookZ },
        mark: { type: 'point', shape: 'circle', size: 110, filled: false, strokeWidth: 2, color: '#111' },
        encoding: { x, y },
      }] : []),
      {
        data: { values: s.path.map((p) => ({ variant: p.variant, information: p.information, z: p.z })) },
        mark: { type: 'line', point: true, strokeWidth: 2 },
        encoding: { x, y, color: color(treatments) },
      },
      zeroRule,
    ],
  } as unknown as VegaLiteSpec;
}

export interface SharePoint {
  readonly variant: string;
  readonly dayIndex: number;
  /** share of the day's new users */
  readonly daily: number | null;
  /** share of all users up to that day */
  readonly cumulative: number | null;
  readonly expected: number;
}

/** Each variant's share of new users per day (points), cumulative (line), and the planned split (dashed). */
export function sampleRatioSpec(points: readonly SharePoint[], variants: readonly string[]): VegaLiteSpec {
  const y = { type: 'quantitative', title: 'share of users', axis: { format: '.0%' }, scale: { zero: false } };
  const expected = variants.map((variant) => ({ variant, expected: points.find((p) => p.variant === variant)?.expected ?? null }));
  return {
    ...base,
    title: { text: 'Sample ratio by day', subtitle: 'points: the day\'s new users · line: cumulative · dashed: planned split', anchor: 'start' },
    layer: [
      {
        data: { values: expected },
        mark: { type: 'rule', strokeDash: [6, 4], strokeWidth: 1.5 },
        encoding: { y: { ...y, field: 'expected' }, color: color(variants) },
      },
      {
        data: { values: points.filter((p) => p.daily !== null) },
        mark: { type: 'point', filled: true, size: 40, opacity: 0.8 },
        encoding: { x: dayAxis, y: { ...y, field: 'daily' }, color: color(variants) },
      },
      {
        data: { values: points.filter((p) => p.cumulative !== null) },
        mark: { type: 'line', strokeWidth: 2 },
        encoding: { x: dayAxis, y: { ...y, field: 'cumulative' }, color: color(variants) },
      },
    ],
  } as unknown as VegaLiteSpec;
}

/**
 * The day's treatment − control difference with its interval; the pre period shaded. A
 * rate's difference is in percentage points, as the memo's tables give it.
 */
export function didSpec(metric: string, treatment: string, points: readonly DeltaPoint[], confidence: string, metricType = 'mean'): VegaLiteSpec {
  const pre = points.filter((p) => p.period === 'pre');
  const first = points[0]?.dayIndex ?? 0;
  const x = dayAxis;
  const rate = metricType === 'binomial';
  const k = rate ? 100 : 1;
  const y = { field: 'delta', type: 'quantitative', title: `${treatment} − control${rate ? ' (pp)' : ''}`, axis: rate ? { format: '+.2~f' } : { format: '+.3~g' } };
  return {
    ...base,
    title: { text: `${metric}: daily ${treatment} − control${rate ? ' in percentage points' : ''}`, subtitle: `per-user daily mean, with its ${confidence} interval; shaded: the pre period (before exposure)`, anchor: 'start' },
    layer: [
      ...(pre.length ? [{
        data: { values: [{ start: first - 0.5, end: -0.5, label: 'pre period' }] },
        mark: { type: 'rect', color: '#8a8a8a', opacity: 0.12 },
        encoding: { x: { field: 'start', type: 'quantitative' }, x2: { field: 'end' } },
      }, {
        data: { values: [{ at: -0.5 }] },
        mark: { type: 'rule', color: '#555', strokeWidth: 1.5 },
        encoding: { x: { field: 'at', type: 'quantitative' } },
      }] : []),
      {
        data: { values: points.map((p) => ({ dayIndex: p.dayIndex, delta: p.delta * k, lower: p.lower * k, upper: p.upper * k, period: p.period })) },
        layer: [
          { mark: { type: 'area', opacity: 0.18, color: PALETTE[0] }, encoding: { x, y: { ...y, field: 'lower' }, y2: { field: 'upper' } } },
          { mark: { type: 'line', point: true, strokeWidth: 2, color: PALETTE[0] }, encoding: { x, y } },
        ],
      },
      zeroRule,
    ],
  } as unknown as VegaLiteSpec;
}
