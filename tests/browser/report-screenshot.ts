/**
 * Rewrite docs/screenshots/report.png, the README's picture of an HTML report:
 *
 *   npx tsx tests/browser/report-screenshot.ts [experiment_id]
 *
 * Copies the shipped project (its configured n_users) to a temp dir, builds one
 * experiment on synthetic data and photographs the top of its report in headless
 * Chromium. (Not a test: the picture is committed by hand.)
 */
import { copyFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { REPO_ROOT } from '../helpers/project.ts';
import { xp } from '../helpers/cli.ts';
import { shippedProject } from '../report/support/shipped-project.ts';
import { launch, NO_BROWSER } from './chromium.ts';

async function main(): Promise<void> {
  if (NO_BROWSER) throw new Error(NO_BROWSER);
  const id = process.argv[2] ?? 'exp_checkout_button_001';
  const p = shippedProject({ only: [id], nUsers: 30_000 });
  try {
    const r = await xp(p.root, 'build', '--select', id, '--generate-synth');
    if (r.code !== 0) throw new Error(r.stderr || r.stdout);
    const browser = await launch();
    try {
      const page = await browser.page();
      await page.setViewportSize({ width: 1280, height: 900 });
      await page.goto(pathToFileURL(p.file(`target/reports/${id}.html`)).href);
      const out = path.join(REPO_ROOT, 'test-artifacts', 'readme-report.png');
      mkdirSync(path.dirname(out), { recursive: true });
      await page.screenshot({ path: out, clip: { x: 0, y: 0, width: 1280, height: 1800 }, fullPage: true });
      copyFileSync(out, path.join(REPO_ROOT, 'docs/screenshots/report.png'));
      process.stdout.write(`wrote docs/screenshots/report.png (${id})\n`);
    } finally {
      await browser.close();
    }
  } finally {
    p.remove();
  }
}

await main();
