/**
 * The live portfolio page of `xp docs serve` in headless Chromium, over a built shipped
 * project: every experiment with its status, health, decision, looks, layer and overlaps;
 * the filters narrow the table; and a lifecycle change in the state store shows up on the
 * open page by its own polling, with no `xp docs generate` in between. No console errors
 * (a CSP violation is one). Screenshot in test-artifacts/portfolio.png.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { docsServeCommand } from '../../src/cli/commands/docs.ts';
import type { DocsServer } from '../../src/docs/serve.ts';
import { loadProject } from '../../src/runner/load-project.ts';
import { REPO_ROOT, type TempProject } from '../helpers/project.ts';
import { xp } from '../helpers/cli.ts';
import { shippedProject } from '../report/support/shipped-project.ts';
import { launch, type Browser } from './chromium.ts';

const ARTIFACTS = path.join(REPO_ROOT, 'test-artifacts');
const IDS = ['exp_add_cart_002', 'exp_checkout_copy_005', 'exp_checkout_trust_006', 'exp_search_ranking_004'];

describe('the live portfolio page in Chromium', () => {
  let browser: Browser;
  let p: TempProject;
  let server: DocsServer;

  beforeAll(async () => {
    // a strong planted interaction, so the pair is flagged at this small size
    p = shippedProject({ only: IDS, nUsers: 4000, edit: { exp_search_ranking_004: { 'synth.interaction.lift_conversion': -0.9 } } });
    expect((await xp(p.root, 'build', '--select', 'all', '--generate-synth')).code).toBe(0);
    expect((await xp(p.root, 'docs', 'generate')).code).toBe(0);
    const project = await loadProject('configs/dev.yaml', p.root);
    server = await docsServeCommand(project, 0, { write: () => true }, 0.2);
    browser = await launch();
    mkdirSync(ARTIFACTS, { recursive: true });
  }, 300_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    p?.remove();
  });

  it('lists every experiment with status, health, decision, looks, layer and overlaps, and filters them', async () => {
    const page = await browser.page();
    await page.goto(`${server.url}portfolio.html`);
    await page.waitForFunction((n) => document.querySelectorAll('tr[data-experiment]').length === n, IDS.length);
    expect(await page.locator('tr[data-experiment]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-experiment')))).toEqual(IDS);
    const cell = (id: string, col: string) => page.locator(`tr[data-experiment="${id}"] .col-${col}`);
    expect(await cell('exp_search_ranking_004', 'status').textContent()).toBe('draft');
    expect(await cell('exp_search_ranking_004', 'health').textContent()).toMatch(/^\d+ · (ok|warn|critical)$/);
    expect(await cell('exp_search_ranking_004', 'decision').textContent()).toMatch(/^(ship|dont-ship|keep-running|no-detectable-effect|investigate)$/);
    expect(await cell('exp_search_ranking_004', 'looks').textContent()).toBe('0 / 3');
    expect(await cell('exp_search_ranking_004', 'overlaps').textContent()).toMatch(/^exp_add_cart_002 \(\d+\)interaction$/);
    expect(await cell('exp_checkout_copy_005', 'layer').textContent()).toBe('checkout_flow (50%)');
    expect(await cell('exp_checkout_copy_005', 'overlaps').textContent()).toBe('exp_checkout_trust_006 (0)');

    await page.locator('#f-flagged').check();
    expect(await page.locator('tr[data-experiment]').count()).toBe(2);
    expect(await page.locator('#summary').textContent()).toMatch(/^2 of 4 experiments/);
    await page.locator('#f-flagged').uncheck();
    await page.locator('#f-layer').selectOption('checkout_flow');
    expect(await page.locator('tr[data-experiment]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-experiment')))).toEqual(['exp_checkout_copy_005', 'exp_checkout_trust_006']);
    await page.locator('#f-layer').selectOption('');
    await page.locator('#f-text').fill('ranking');
    expect(await page.locator('tr[data-experiment]').count()).toBe(1);
    await page.locator('#f-text').fill('');
    await page.screenshot({ path: path.join(ARTIFACTS, 'portfolio.png'), fullPage: true });
    expect(page.problems).toEqual([]);
  });

  it('follows the state store: a started experiment shows as running on the open page without regenerating the site', async () => {
    const page = await browser.page();
    await page.goto(`${server.url}portfolio.html`);
    const status = page.locator('tr[data-experiment="exp_checkout_copy_005"] .col-status');
    await expect.poll(() => status.textContent()).toBe('draft');
    const started = await xp(p.root, 'experiment', 'start', 'exp_checkout_copy_005', '--reason', 'portfolio test');
    expect(started.code, started.stderr).toBe(0);
    await page.waitForFunction(() => document.querySelector('tr[data-experiment="exp_checkout_copy_005"] .col-status')?.textContent === 'running', undefined, { timeout: 20_000 });
    // the status filter offers what the state store now holds
    expect(await page.locator('#f-status option').allTextContents()).toEqual(['any', 'draft', 'running']);
    await page.locator('#f-status').selectOption('running');
    expect(await page.locator('tr[data-experiment]').count()).toBe(1);
    expect(page.problems).toEqual([]);
  });

  it('answers the JSON the page polls, fresh on every request', async () => {
    const a = (await (await fetch(`${server.url}api/portfolio.json`)).json()) as { generatedAt: string; experiments: { id: string; layer: string | null }[] };
    await new Promise((r) => setTimeout(r, 5));
    const b = (await (await fetch(`${server.url}api/portfolio.json`)).json()) as { generatedAt: string };
    expect(a.experiments.map((e) => e.id)).toEqual(IDS);
    expect(b.generatedAt > a.generatedAt).toBe(true);
  });
});
