/** The report's chart series (pure) and their SVG (deterministic, ids scoped per chart). */
import { describe, expect, it } from 'vitest';
import { groupSequentialBounds, normalQuantile, proportionTest } from '../../src/stats/index.ts';
import { chartData, roundNumbers, takenLooks } from '../../src/report/charts/chart-data.ts';
import { cumulativeLift, dailyDelta } from '../../src/report/charts/lift-series.ts';
import { sequentialSeries } from '../../src/report/charts/sequential-series.ts';
import { renderCharts } from '../../src/report/charts/render-charts.ts';
import { didSpec, liftDomain, liftSpec, WIDTH } from '../../src/report/charts/specs.ts';
import { renderSvg } from '../../src/report/charts/vega-door.ts';
import { daily, experiment, inputs } from './support/inputs.ts';

describe('chart series', () => {
  it('cumulative lift per day equals the test on that day\'s cumulative sums', () => {
    const points = cumulativeLift(daily(7), 'conversion', 'control', ['treatment'], 0.05);
    expect(points.map((p) => p.dayIndex)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    const last = points.at(-1)!;
    const rel = proportionTest({ n: 7000, successes: 700 }, { n: 7000, successes: 735 }, { difference: 'relative', ci: 'wald' });
    const abs = proportionTest({ n: 7000, successes: 700 }, { n: 7000, successes: 735 }, { difference: 'absolute', ci: 'wald' });
    if (rel.status !== 'ok' || abs.status !== 'ok') throw new Error('not estimable');
    expect(last).toMatchObject({ estimate: rel.estimate, lower: rel.ci[0], upper: rel.ci[1], z: abs.statistic, n: 7000 });
    expect(last.estimate).toBeCloseTo(0.05, 10);
  });

  it('leaves out days where the lift is not estimable instead of inventing a number', () => {
    const rows = daily(3).map((r) => (r.variant === 'control' && r.day_index === 1 ? { ...r, n_cum: 0, sum_cum: 0, sum_squares_cum: 0 } : r));
    expect(cumulativeLift(rows, 'conversion', 'control', ['treatment'], 0.05).map((p) => p.dayIndex)).toEqual([0, 2]);
  });

  it('daily treatment − control delta over pre and post days with a normal interval', () => {
    const points = dailyDelta(daily(2), 'conversion', 'control', 'treatment', normalQuantile(0.975));
    expect(points.map((p) => [p.dayIndex, p.period])).toEqual([[-3, 'pre'], [-2, 'pre'], [-1, 'pre'], [0, 'post'], [1, 'post']]);
    const d0 = points.find((p) => p.dayIndex === 0)!;
    expect(d0.delta).toBeCloseTo(0.0105 - 0.01, 12);
    expect(d0.upper - d0.delta).toBeCloseTo(d0.delta - d0.lower, 12);
  });

  it('sequential: planned boundaries are the design\'s, the path is in information time', () => {
    const e = experiment();
    const s = sequentialSeries(e, cumulativeLift(daily(7), 'conversion', 'control', ['treatment'], 0.05), [{ look: 1, information: 0.3, z: 1.2, boundary: 3.9 }])!;
    const b = groupSequentialBounds({ informationFractions: [0.25, 0.5, 0.75, 1], alpha: 0.05, sided: 2, spending: 'obrien-fleming' });
    expect(s.planned.map((p) => p.boundary)).toEqual(b.zBounds);
    expect(s.path.at(-1)!.information).toBeCloseTo(7000 / 10_000, 12);
    expect(s.taken).toEqual([{ look: 1, information: 0.3, boundary: 3.9, z: 1.2 }]);
    expect(sequentialSeries(experiment({ sequential: undefined }), [], [])).toBeUndefined();
  });

  it('reads the looks the sequential plugin recorded', () => {
    expect(takenLooks([{ look: 2, information_fraction: 0.5, z: 2, boundary: 2.9 }, { look: 1, information_fraction: 0.25, z: null, boundary: 4.3 }]))
      .toEqual([{ look: 1, information: 0.25, z: null, boundary: 4.3 }, { look: 2, information: 0.5, z: 2, boundary: 2.9 }]);
  });

  it('rounds to 6 significant digits so float noise in the warehouse\'s sums cannot change a byte', () => {
    expect(roundNumbers({ a: [0.1 + 0.2, 123456789], b: 'x', c: null })).toEqual({ a: [0.3, 123457000], b: 'x', c: null });
    const d = daily(7);
    const noisy = d.map((r) => ({ ...r, sum_cum: r.sum_cum === null ? null : r.sum_cum * (1 + 1e-15) }));
    expect(JSON.stringify(chartData(inputs({ daily: noisy })))).toBe(JSON.stringify(chartData(inputs({ daily: d }))));
  });
});

describe('chart SVG', () => {
  const points = cumulativeLift(daily(7), 'conversion', 'control', ['treatment'], 0.05);

  it('is the same bytes every time, with ids scoped to the chart', async () => {
    const a = await renderSvg(liftSpec('conversion', points, ['treatment'], '95%'), 'xp-lift-conversion');
    const b = await renderSvg(liftSpec('conversion', points, ['treatment'], '95%'), 'xp-lift-conversion');
    expect(a).toBe(b);
    expect(a.startsWith('<svg')).toBe(true);
    const ids = [...a.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]!);
    expect(ids.every((id) => id.startsWith('xp-lift-conversion-'))).toBe(true);
    for (const m of a.matchAll(/url\(#([^)]+)\)/g)) expect(ids).toContain(m[1]);
    expect(a).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org)/);
  });

  it('the legend swatch is the line\'s colour, not the pale band\'s', async () => {
    const svg = await renderSvg(liftSpec('conversion', points, ['treatment'], '95%'), 'xp-lift');
    const legend = /<g class="mark-symbol role-legend-symbol"[^]*?<path [^>]*>/.exec(svg)?.[0] ?? '';
    expect(legend).toContain('fill="#2f6fb0"');
    expect(legend).not.toMatch(/opacity="0\.18"/);
  });

  it('every chart has the same outer width, so the report scales them alike (same font sizes)', async () => {
    const charts = await renderCharts(chartData(inputs({ daily: daily(7) })));
    const widths = charts.filter((c) => c.svg).map((c) => Number(/^<svg[^>]*\swidth="([\d.]+)"/.exec(c.svg!)?.[1]));
    expect(widths.length).toBeGreaterThan(2);
    expect(new Set(widths)).toEqual(new Set([WIDTH]));
  });

  it('the y range holds every estimate (the first day\'s is not cut off); early intervals may be clipped', () => {
    const wild = points.map((p, i) => (i === 0 ? { ...p, estimate: 0.9, lower: -0.5, upper: 2.5 } : p));
    const [lo, hi] = liftDomain(wild);
    expect(hi).toBeGreaterThan(0.9);
    expect(hi).toBeLessThan(2.5);
    expect(lo).toBeLessThanOrEqual(Math.min(0, ...wild.map((p) => p.estimate)));
  });

  it('the daily treatment − control of a rate is drawn in percentage points, as the tables give it', () => {
    const pts = dailyDelta(daily(2), 'conversion', 'control', 'treatment', normalQuantile(0.975));
    const spec = didSpec('conversion', 'treatment', pts, '95%', 'binomial') as unknown as { layer: { data?: { values: { delta: number }[] }; layer?: unknown }[]; title: { text: string } };
    const values = spec.layer.find((l) => l.layer)!.data!.values;
    expect(values[0]!.delta).toBeCloseTo(pts[0]!.delta * 100, 10);
    expect(spec.title.text).toContain('percentage points');
    const mean = didSpec('revenue', 'treatment', pts, '95%', 'mean') as unknown as typeof spec;
    expect(mean.layer.find((l) => l.layer)!.data!.values[0]!.delta).toBeCloseTo(pts[0]!.delta, 12);
  });

  it('draws every chart with data and explains the ones without', async () => {
    const charts = await renderCharts(chartData(inputs({ daily: daily(7) })));
    expect(charts.map((c) => [c.id, c.svg !== null])).toEqual([
      ['lift-conversion', true], ['lift-revenue', false], ['lift-bounce_rate', false], ['sequential', true], ['sample-ratio', false], ['did-treatment', true],
    ]);
    expect(charts.find((c) => c.id === 'sample-ratio')!.note).toBe('no exposures counted yet (exp.srm_counts is empty)');
  });
});
