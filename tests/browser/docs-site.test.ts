/**
 * The docs site of a built shipped project in headless Chromium: the experiment page fits
 * the window (its decision worded as the memo's, not a 26-column row of JSON and floats),
 * and the lineage search finds the models and analyses that compute a metric by its name.
 * Screenshots go to test-artifacts/.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, type TempProject } from '../helpers/project.ts';
import { xp } from '../helpers/cli.ts';
import { shippedProject } from '../report/support/shipped-project.ts';
import { launch, NO_BROWSER, type Browser } from './chromium.ts';

const ID = 'exp_checkout_button_001';
const ARTIFACTS = path.join(REPO_ROOT, 'test-artifacts');
/** a name with no place to break: the page must wrap it, not grow */
const LONG = `Checkout_${'x'.repeat(220)}`;

describe.skipIf(NO_BROWSER !== undefined)(`docs site of the shipped project in Chromium${NO_BROWSER ? ` (skipped: ${NO_BROWSER})` : ''}`, () => {
  let browser: Browser;
  let p: TempProject;

  beforeAll(async () => {
    p = shippedProject({ only: [ID], nUsers: 2500, edit: { [ID]: { description: LONG } } });
    expect((await xp(p.root, 'build', '--select', ID, '--generate-synth')).code).toBe(0);
    expect((await xp(p.root, 'docs', 'generate')).code).toBe(0);
    browser = await launch();
    mkdirSync(ARTIFACTS, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
    p?.remove();
  });

  it('the experiment page is no wider than a 1280-px window, and shows the decision as the memo does', async () => {
    const page = await browser.page();
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goto(pathToFileURL(p.file(`target/docs/experiments/${ID}.html`)).href);
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(width).toBeLessThanOrEqual(1280);
    const card = page.locator('.decision-card');
    expect(await card.locator('h3').textContent()).toMatch(/^(Ship|Don't ship|Keep running|No detectable effect|Investigate)/);
    expect(await card.innerText()).toMatch(/Primary metric: conversion \(treatment vs control, CUPED\): [+-]\d+\.\d%/);
    expect(await card.innerText()).toMatch(/Rule applied: \w/);
    expect(await page.locator('section:has(> h2:text-is("Decision")) table').count()).toBe(0);
    await page.screenshot({ path: path.join(ARTIFACTS, 'docs-experiment.png'), fullPage: true });
    expect(page.problems).toEqual([]);
  });

  it('the lineage search finds what computes a metric by the metric\'s name', async () => {
    const page = await browser.page();
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.goto(pathToFileURL(p.file('target/docs/index.html')).href);
    await page.waitForSelector('body[data-ready="true"]');
    await page.locator('#search').fill('revenue_per_order');
    const labels = await page.locator('#search-results li .label').allTextContents();
    expect(labels).toEqual(expect.arrayContaining(['metric_aggregates_overall', 'metric_aggregates_daily', 'ab', 'cuped']));
    expect(labels).not.toContain('srm_counts');
    // in the graph's order: the models that compute it before the analyses that read them
    expect(labels.indexOf('metric_aggregates_overall')).toBeLessThan(labels.indexOf('ab'));
    expect(await page.locator('#search-results li', { hasText: 'metric_aggregates_overall' }).locator('.where').textContent()).toBe('model · computes revenue_per_order');
    // the list shows at most 12 and says how many more the graph highlights
    const highlighted = await page.locator('g.node.match').count();
    expect(labels.length).toBe(Math.min(12, highlighted));
    if (highlighted > 12) expect(await page.locator('#search-results li.more').textContent()).toBe(`+ ${highlighted - 12} more, highlighted in the graph`);
    else expect(await page.locator('#search-results li.more').count()).toBe(0);
    await page.screenshot({ path: path.join(ARTIFACTS, 'lineage-metric-search.png') });
    await page.locator('#search').press('Enter');
    expect(await page.locator('#panel dl.facts').innerText()).toContain('revenue_per_order');
    expect(page.problems).toEqual([]);
  });
});
