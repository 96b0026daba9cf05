/**
 * The docs site in headless Chromium: one node per model, a click shows the SQL and
 * highlights the lineage, search finds a model, pages link up, from file:// and over
 * `xp docs serve`. Screenshots go to test-artifacts/ (git-ignored); the README's
 * docs/screenshots/lineage.png comes from tests/browser/readme-screenshot.ts.
 */
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveDocs } from '../../src/docs/serve.ts';
import { loadProject } from '../../src/runner/load-project.ts';
import { REPO, testedProject, type Fixture } from '../data-tests/fixture.ts';
import { xp } from '../data-tests/cli.ts';
import { bigProject } from '../docs/big-project.ts';
import { launch, NO_BROWSER, type Browser } from './chromium.ts';

const ARTIFACTS = path.join(REPO, 'test-artifacts');

describe.skipIf(NO_BROWSER !== undefined)(`lineage site in Chromium${NO_BROWSER ? ` (skipped: ${NO_BROWSER})` : ''}`, () => {
  let browser: Browser;
  let f: Fixture;
  let index: string;
  let models: string[];

  beforeAll(async () => {
    f = await testedProject(['exp_a']);
    f.write('models/staging/stg_events.yml', `description: 'raw events <script>alert("docs")</script>'\ncolumns:\n  - name: user_id\n    tests: [not_null]\n`);
    expect((await xp(f.root, 'build', '--select', 'exp_a')).code).toBe(0);
    expect((await xp(f.root, 'docs', 'generate')).code).toBe(0);
    index = pathToFileURL(f.file('target/docs/index.html')).href;
    models = [...(await loadProject('configs/dev.yaml', f.root)).dag.nodes.keys()];
    browser = await launch();
    mkdirSync(ARTIFACTS, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
    f?.remove();
  });

  it('draws one node per model, source, analysis and the memo', async () => {
    const page = await browser.page();
    await page.goto(index);
    await page.waitForSelector('body[data-ready="true"]');
    const ids = await page.locator('g.node.kind-model').evaluateAll((els) => els.map((e) => e.getAttribute('data-id')));
    expect(ids.sort()).toEqual(models.map((m) => `model:${m}`).sort());
    expect(await page.locator('g.node.kind-source').count()).toBe(1);
    expect(await page.locator('g.node.kind-analysis').count()).toBe(1);
    expect(await page.locator('g.node.kind-memo').count()).toBe(1);
    expect(await page.locator('path.edge').count()).toBe(7);
    expect(page.problems).toEqual([]);
  });

  it('shows a node\'s SQL on click and highlights its ancestors and descendants', async () => {
    const page = await browser.page();
    await page.goto(index);
    await page.waitForSelector('body[data-ready="true"]');
    await page.locator('g.node[data-id="model:user_values"]').click();
    await expect.poll(() => page.locator('#panel').isVisible()).toBe(true);
    expect(await page.locator('#panel h2').textContent()).toBe('user_values');
    expect(await page.locator('#panel pre').textContent()).toContain('in_window as (');
    expect(await page.locator('#panel pre').textContent()).toContain('"exp"."stg_events"'); // compiled: refs resolved
    await page.locator('#panel button[data-tab="raw"]').click();
    expect(await page.locator('#panel pre').textContent()).toContain('{{ref "stg_events"}}');
    const cls = async (id: string): Promise<string> => (await page.locator(`g.node[data-id="${id}"]`).getAttribute('class')) ?? '';
    expect(await cls('model:user_values')).toContain('selected');
    for (const id of ['source:raw.events', 'model:stg_events', 'model:first_seen']) expect(await cls(id)).toContain('ancestor');
    for (const id of ['model:variant_totals', 'analysis:variant_share', 'memo']) expect(await cls(id)).toContain('descendant');
    expect(page.url()).toMatch(/#model%3Auser_values$/);
    await page.screenshot({ path: path.join(ARTIFACTS, 'lineage-selected.png') });
    // a related node in the panel selects it
    await page.locator('#panel button.chip[data-id="model:variant_totals"]').click();
    expect(await page.locator('#panel h2').textContent()).toBe('variant_totals');
    await page.keyboard.press('Escape');
    expect(await page.locator('#panel').isVisible()).toBe(false);
    expect(page.problems).toEqual([]);
  });

  it('finds a model with the search box', async () => {
    const page = await browser.page();
    await page.goto(index);
    await page.waitForSelector('body[data-ready="true"]');
    await page.locator('#search').fill('totals');
    expect(await page.locator('#search-results li .label').allTextContents()).toEqual(['variant_totals']);
    expect(await page.locator('g.node.match').count()).toBe(1);
    await page.locator('#search').press('Enter');
    expect(await page.locator('#panel h2').textContent()).toBe('variant_totals');
    await page.locator('#search').fill('user');
    await page.locator('#search-results li', { hasText: 'user_values' }).click();
    expect(await page.locator('#panel h2').textContent()).toBe('user_values');
    expect(page.problems).toEqual([]);
  });

  it('pans and zooms', async () => {
    const page = await browser.page();
    await page.goto(index);
    await page.waitForSelector('body[data-ready="true"]');
    const transform = (): Promise<string | null> => page.locator('g.viewport').getAttribute('transform');
    const fitted = await transform();
    await page.locator('#zoom-in').click();
    const zoomed = await transform();
    expect(zoomed).not.toBe(fitted);
    const box = (await page.locator('svg.lineage').boundingBox())!;
    await page.mouse.move(box.x + 40, box.y + 40);
    await page.mouse.down();
    await page.mouse.move(box.x + 240, box.y + 140, { steps: 5 });
    await page.mouse.up();
    expect(await transform()).not.toBe(zoomed);
    await page.locator('#zoom-fit').click();
    expect(await transform()).toBe(fitted);
  });

  it('keeps user text as text and links to the model pages', async () => {
    const page = await browser.page();
    await page.goto(`${index}#${encodeURIComponent('model:stg_events')}`);
    await page.waitForSelector('body[data-ready="true"]');
    expect(await page.locator('#panel .description').textContent()).toBe('raw events <script>alert("docs")</script>');
    await page.locator('#panel a.action').click();
    await page.waitForURL(/models\/stg_events\.html$/);
    expect(await page.locator('h1').textContent()).toBe('stg_events');
    expect(await page.locator('p.description').textContent()).toBe('raw events <script>alert("docs")</script>');
    expect(await page.locator('table.columns td code').first().textContent()).toBe('experiment_id');
    await page.locator('a.action', { hasText: 'view in lineage' }).click();
    await page.waitForSelector('body[data-ready="true"]');
    expect(await page.locator('#panel h2').textContent()).toBe('stg_events');
    expect(page.problems).toEqual([]);
  });

  it('works over xp docs serve, and keeps a screenshot', async () => {
    const server = await serveDocs(f.file('target'), 0);
    try {
      const page = await browser.page();
      await page.goto(server.url);
      await page.waitForSelector('body[data-ready="true"]');
      expect(await page.locator('g.node.kind-model').count()).toBe(models.length);
      await page.locator('g.node[data-id="model:user_values"]').click();
      expect(await page.locator('#panel pre').textContent()).toContain('in_window as (');
      await page.goto(new URL('experiments/exp_a.html', server.url).href);
      expect(await page.locator('h1').textContent()).toContain('exp_a');
      await page.goto(server.url);
      await page.waitForSelector('body[data-ready="true"]');
      await page.screenshot({ path: path.join(ARTIFACTS, 'lineage.png') });
      expect(page.problems).toEqual([]);
    } finally {
      await server.close();
    }
  });

  it('lays out and draws 220 models, searchable', async () => {
    const big = bigProject(220);
    try {
      expect((await xp(big.root, 'docs', 'generate')).code).toBe(0);
      const page = await browser.page();
      await page.goto(pathToFileURL(path.join(big.root, 'target/docs/index.html')).href);
      await page.waitForSelector('body[data-ready="true"]');
      expect(await page.locator('g.node.kind-model').count()).toBe(220);
      await page.locator('#search').fill('metric_agg_042');
      await page.locator('#search').press('Enter');
      expect(await page.locator('#panel h2').textContent()).toBe('metric_agg_042');
      await page.screenshot({ path: path.join(ARTIFACTS, 'lineage-220.png') });
      expect(page.problems).toEqual([]);
    } finally {
      rmSync(big.root, { recursive: true, force: true });
    }
  });
});
