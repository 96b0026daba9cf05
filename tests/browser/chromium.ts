/**
 * Headless Chromium for the browser tests: the system browser (apt's chromium, installed
 * by .ci/run), driven by playwright-core, a fresh profile per launch, no network services.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM = process.env['XP_CHROMIUM'] ?? '/usr/bin/chromium';
/**
 * Why the browser tests cannot run here, or undefined when they can. With
 * XP_REQUIRE_BROWSER=1 (.ci/run) a missing browser is never a reason to skip: the tests
 * run and fail at launch.
 */
export const NO_BROWSER =
  existsSync(CHROMIUM) || process.env['XP_REQUIRE_BROWSER'] === '1'
    ? undefined
    : `no Chromium at ${CHROMIUM} (apt-get install chromium, or set XP_CHROMIUM); CI installs it`;

const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export interface Browser {
  readonly context: BrowserContext;
  /** a new page that records uncaught errors and console errors (CSP violations included) */
  page(): Promise<Page & { readonly problems: string[] }>;
  close(): Promise<void>;
}

export async function launch(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`XP_REQUIRE_BROWSER=1 but there is no Chromium at ${CHROMIUM}: apt-get install chromium`);
  const profile = mkdtempSync(path.join(os.tmpdir(), 'xp-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    viewport: { width: 1400, height: 860 },
  });
  return {
    context,
    async page() {
      const page = (await context.newPage()) as Page & { problems: string[] };
      page.problems = [];
      page.on('pageerror', (e) => page.problems.push(`pageerror: ${e.message}`));
      page.on('console', (m) => {
        if (m.type() === 'error') page.problems.push(`console: ${m.text()}`);
      });
      page.on('dialog', (d) => {
        page.problems.push(`dialog: ${d.message()}`);
        void d.dismiss();
      });
      return page;
    },
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
