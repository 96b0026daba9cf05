/**
 * The HTML report in headless Chromium: every chart is visible and draws data (SVG marks
 * with a non-zero size), the page loads nothing from the network and raises no error
 * (its CSP forbids scripts), hostile user text stays text. A full-page screenshot goes to
 * test-artifacts/report-<experiment>.png (docs/screenshots/report.png is a copy of its top).
 *
 * Without Chromium the suite is skipped with the reason, unless XP_REQUIRE_BROWSER=1 (CI),
 * where launching fails instead (tests/browser/chromium.ts).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, type TempProject } from '../helpers/project.ts';
import { xp } from '../helpers/cli.ts';
import { shippedProject } from '../report/support/shipped-project.ts';
import { buildMemoData } from '../../src/report/build-memo-data.ts';
import { chartData } from '../../src/report/charts/chart-data.ts';
import { renderCharts } from '../../src/report/charts/render-charts.ts';
import { loadTemplates, renderReport } from '../../src/report/templates.ts';
import { daily, experiment, inputs } from '../report/support/inputs.ts';
import { launch, NO_BROWSER, type Browser } from './chromium.ts';

const ID = 'exp_checkout_button_001';
const ARTIFACTS = path.join(REPO_ROOT, 'test-artifacts');
/** in page order: lifts under the key metrics, DiD, sample ratio, sequential */
const CHARTS = ['lift-conversion', 'lift-revenue', 'lift-revenue_per_order', 'lift-revenue_buyers_capped', 'lift-bounce_rate', 'did-treatment', 'sample-ratio', 'sequential'];

describe.skipIf(NO_BROWSER !== undefined)(`HTML report in Chromium${NO_BROWSER ? ` (skipped: ${NO_BROWSER})` : ''}`, () => {
  let browser: Browser;
  let p: TempProject;
  let url: string;

  beforeAll(async () => {
    p = shippedProject({ only: [ID], nUsers: 2500 });
    const r = await xp(p.root, 'build', '--select', ID, '--generate-synth');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    url = pathToFileURL(p.file(`target/reports/${ID}.html`)).href;
    browser = await launch();
    mkdirSync(ARTIFACTS, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
    p?.remove();
  });

  it('shows every chart with data: SVG marks of non-zero size', async () => {
    const page = await browser.page();
    const requests: string[] = [];
    page.on('request', (req) => requests.push(req.url()));
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goto(url);
    expect(await page.locator('figure.chart').evaluateAll((els) => els.map((e) => e.getAttribute('data-chart')))).toEqual(CHARTS);
    for (const id of CHARTS) {
      const fig = page.locator(`figure.chart[data-chart="${id}"]`);
      await fig.scrollIntoViewIfNeeded();
      expect(await fig.isVisible(), id).toBe(true);
      const svg = fig.locator('svg');
      const box = await svg.boundingBox();
      expect(box && box.width > 300 && box.height > 150, `${id} svg box ${JSON.stringify(box)}`).toBe(true);
      // data marks: lines, areas and points drawn by Vega, each with a real size on screen
      const marks = await svg.locator('g.mark-line path, g.mark-area path, g.mark-symbol path, g.mark-rect path').evaluateAll((els) =>
        els.map((e) => { const r = (e as SVGGraphicsElement).getBoundingClientRect(); return r.width * r.height > 0 || r.width > 0 || r.height > 0; }));
      expect(marks.filter(Boolean).length, `${id} has visible data marks`).toBeGreaterThan(0);
    }
    const lines = await page.locator('figure.chart[data-chart="lift-conversion"] g.mark-line path').first().getAttribute('d');
    expect(lines?.split(/[ML]/).filter((s) => s.trim()).length).toBeGreaterThan(5); // one vertex per day
    await page.screenshot({ path: path.join(ARTIFACTS, `report-${ID}.png`), fullPage: true });
    await page.screenshot({ path: path.join(ARTIFACTS, 'report-top.png'), clip: { x: 0, y: 0, width: 1280, height: 1700 }, fullPage: true });
    expect(requests.every((u) => u.startsWith('file://')), requests.join('\n')).toBe(true);
    expect(page.problems).toEqual([]);
  });

  it('charts fill the card\'s width at one scale (the same font sizes), legends in the lines\' colour, no day-0 point cut off', async () => {
    const page = await browser.page();
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goto(url);
    const sizes = await page.locator('figure.chart').evaluateAll((figs) => figs.flatMap((f) => {
      const svg = f.querySelector('svg');
      if (!svg) return [];
      const inner = f.clientWidth - parseFloat(getComputedStyle(f).paddingLeft) - parseFloat(getComputedStyle(f).paddingRight);
      const title = svg.querySelector('g.role-title-text text') as SVGGraphicsElement | null;
      return [{ id: f.getAttribute('data-chart'), width: svg.getBoundingClientRect().width, inner, title: title?.getBoundingClientRect().height ?? 0 }];
    }));
    expect(sizes.length).toBe(CHARTS.length);
    for (const s of sizes) expect(s.width, `${s.id} fills its card`).toBeGreaterThan(s.inner * 0.98);
    // one scale: every chart's title is drawn at the same height on screen
    const titles = sizes.map((s) => Math.round(s.title));
    expect(Math.max(...titles) - Math.min(...titles), JSON.stringify(sizes)).toBeLessThanOrEqual(1);
    // no caption repeating the chart's own title
    expect(await page.locator('figure.chart:not(.empty) figcaption').count()).toBe(0);
    // the legend swatch is drawn fully opaque, in the line's colour
    const swatch = await page.locator('figure.chart[data-chart="lift-conversion"] g.role-legend-symbol path').first()
      .evaluate((e) => ({ fill: e.getAttribute('fill'), opacity: getComputedStyle(e).opacity }));
    expect(swatch).toEqual({ fill: '#2f6fb0', opacity: '1' });
    // every point of every lift line lies inside its plot (the first day's too)
    for (const id of CHARTS.filter((c) => c.startsWith('lift-'))) {
      const inside = await page.locator(`figure.chart[data-chart="${id}"] svg`).evaluate((svg) => {
        // the plot area: where the axes' grid lines run
        const grid = [...svg.querySelectorAll('g.mark-rule.role-axis-grid')].map((g) => g.getBoundingClientRect());
        const top = Math.min(...grid.map((r) => r.top));
        const bottom = Math.max(...grid.map((r) => r.bottom));
        const points = [...svg.querySelectorAll('g.mark-symbol.role-mark path')].map((p) => p.getBoundingClientRect());
        return { points: points.length, out: points.filter((r) => r.top + r.height / 2 < top - 1 || r.top + r.height / 2 > bottom + 1).length };
      });
      expect(inside.points, id).toBeGreaterThan(5);
      expect(inside.out, id).toBe(0);
    }
    expect(page.problems).toEqual([]);
  });

  it('the status is near the top, and no literal backtick shows anywhere', async () => {
    const page = await browser.page();
    await page.goto(url);
    expect(await page.locator('#status').textContent()).toBe(`Status: draft — results are not recorded as looks until xp experiment start ${ID}`);
    expect(await page.locator('#status code').textContent()).toBe(`xp experiment start ${ID}`);
    expect(await page.locator('main').innerText()).not.toContain('`');
    expect(await page.locator('#cuped th').allTextContents()).toContain('CUPED lift [CI] (as in Key metrics)');
    expect(await page.locator('#metrics th').allTextContents()).toContain('estimator');
    expect(page.problems).toEqual([]);
  });

  it('shows the decision, the tables and the sections', async () => {
    const page = await browser.page();
    await page.goto(url);
    expect(await page.locator('#decision h2').textContent()).toMatch(/^Decision: /);
    for (const id of ['design', 'metrics', 'guardrails', 'cuped', 'did', 'srm', 'sequential', 'skipped', 'reproducibility']) {
      expect(await page.locator(`#${id}`).isVisible(), id).toBe(true);
    }
    expect(await page.locator('#metrics tbody tr').count()).toBeGreaterThanOrEqual(3);
    expect(page.problems).toEqual([]);
  });

  it('keeps a hostile experiment name as text: no script runs, nothing is injected', async () => {
    const name = 'Checkout <script>alert("report")</script><img src=x onerror=alert(2)> {{constructor}}';
    const i = inputs({ experiment: experiment({ name }), daily: daily(7) });
    const html = renderReport(loadTemplates(REPO_ROOT)!, buildMemoData(i), await renderCharts(chartData(i)))!;
    const file = p.file('target/reports/hostile.html');
    writeFileSync(file, html);
    const page = await browser.page();
    await page.goto(pathToFileURL(file).href);
    expect(await page.locator('h1').textContent()).toBe(name);
    expect(await page.locator('main script, main img').count()).toBe(0);
    expect(await page.title()).toBe(`${name} · experiment report`);
    expect(page.problems).toEqual([]);
  });
});
