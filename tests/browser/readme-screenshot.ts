/**
 * Rewrite docs/screenshots/lineage.png, the README's picture of the lineage page:
 *
 *   npx tsx tests/browser/readme-screenshot.ts [model-to-select]
 *
 * Copies the shipped project to a temp dir, builds every experiment on synthetic data,
 * runs the tests, generates the docs and photographs the lineage page in headless
 * Chromium with one model selected. (Not a test: the picture is committed by hand.)
 */
import { copyFileSync, cpSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadProject } from '../../src/runner/load-project.ts';
import { copyProject, REPO_ROOT } from '../helpers/project.ts';
import { xp } from '../data-tests/cli.ts';
import { launch, NO_BROWSER } from './chromium.ts';

async function main(): Promise<void> {
  if (NO_BROWSER) throw new Error(NO_BROWSER);
  const p = copyProject(REPO_ROOT, { only: ['configs', 'models', 'macros', 'analyses', 'seeds'], prefix: 'readme' });
  try {
    writeFileSync(p.file('package.json'), '{ "private": true, "type": "module" }\n');
    // analyses/*.ts import the runner as ../src/…: point that at this checkout
    symlinkSync(path.join(REPO_ROOT, 'src'), p.file('src'));
    symlinkSync(path.join(REPO_ROOT, 'node_modules'), p.file('node_modules'));
    // the project's own singular and unit tests (tests/models/*.test.ts are vitest files, left out)
    cpSync(path.join(REPO_ROOT, 'tests/models'), p.file('tests/models'), { recursive: true, filter: (f) => !f.endsWith('.test.ts') });
    const project = await loadProject('configs/dev.yaml', p.root);
    if (!project.dag.nodes.size) throw new Error('the shipped project has no models yet');
    for (const argv of [['build', '--select', 'all', '--generate-synth'], ['test'], ['docs', 'generate']]) {
      const r = await xp(p.root, ...argv);
      process.stdout.write(`xp ${argv.join(' ')}: exit ${r.code}\n`);
      if (argv[0] === 'docs' && r.code !== 0) throw new Error(r.stderr);
    }
    const pick = process.argv[2] ?? ([...project.dag.nodes.keys()].find((n) => n === 'outcomes') ?? project.dag.order[Math.floor(project.dag.order.length / 2)]!);
    const browser = await launch();
    try {
      const page = await browser.page();
      await page.setViewportSize({ width: 1920, height: 960 });
      // the whole graph fitted, one model selected (a click selects without re-centring)
      await page.goto(pathToFileURL(p.file('target/docs/index.html')).href);
      await page.waitForSelector('body[data-ready="true"]');
      await page.locator(`g.node[data-id="model:${pick}"]`).click();
      await page.locator('#zoom-fit').click(); // fit beside the open panel
      const out = path.join(REPO_ROOT, 'test-artifacts', 'readme-lineage.png');
      mkdirSync(path.dirname(out), { recursive: true });
      await page.screenshot({ path: out });
      copyFileSync(out, path.join(REPO_ROOT, 'docs/screenshots/lineage.png'));
      process.stdout.write(`wrote docs/screenshots/lineage.png (${pick} selected)\n`);
    } finally {
      await browser.close();
    }
  } finally {
    rmSync(p.root, { recursive: true, force: true });
  }
}

await main();
