/**
 * Draw the report's charts as SVG strings from the chart data. A chart without data is
 * not drawn: the report says why instead of showing an empty frame.
 */
import type { ChartData } from './chart-data.ts';
import { didSpec, liftSpec, sampleRatioSpec, sequentialSpec } from './specs.ts';
import { renderSvg } from './vega-door.ts';

export interface Chart {
  /** stable id: lift-<metric>, sequential, sample-ratio, did-<treatment> */
  readonly id: string;
  readonly title: string;
  /** the SVG markup, or null when there is nothing to draw */
  readonly svg: string | null;
  /** why there is no chart */
  readonly note: string | null;
}

async function draw(id: string, title: string, hasData: boolean, why: string, spec: () => Parameters<typeof renderSvg>[0]): Promise<Chart> {
  if (!hasData) return { id, title, svg: null, note: why };
  return { id, title, svg: await renderSvg(spec(), `xp-${id}`), note: null };
}

export async function renderCharts(data: ChartData): Promise<Chart[]> {
  const charts: Chart[] = [];
  for (const { metric, points } of data.lift) {
    charts.push(await draw(`lift-${metric}`, `Cumulative relative lift: ${metric}`, points.length > 0,
      'no day has an estimable lift yet (an empty arm or a zero control value)',
      () => liftSpec(metric, points, data.treatments, data.confidence)));
  }
  const s = data.sequential;
  charts.push(await draw('sequential', `Sequential z statistic: ${data.primaryMetric}`, !!s && s.path.length > 0,
    s ? 'no day has an estimable z statistic yet' : 'the experiment has no sequential design (sequential: in its config)',
    () => sequentialSpec(s!, data.primaryMetric, data.treatments)));
  charts.push(await draw('sample-ratio', 'Daily sample ratio', data.shares.some((p) => p.daily !== null),
    'no exposures counted yet (exp.srm_counts is empty)', () => sampleRatioSpec(data.shares, data.variants)));
  for (const { treatment, metricType, points } of data.did) {
    charts.push(await draw(`did-${treatment}`, `Daily ${treatment} − control: ${data.primaryMetric}`, points.length > 0,
      'no day with at least two users in both arms', () => didSpec(data.primaryMetric, treatment, points, data.confidence, metricType)));
  }
  return charts;
}
