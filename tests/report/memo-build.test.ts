/**
 * The memo stage in real builds of the shipped project (small synthetic data): files and
 * ledger record, escaping of a hostile experiment name, byte-identical rebuilds, fresh
 * when nothing changed, --skip-memo, a skipped analysis, a failed analysis.
 */
import { existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { xp } from '../helpers/cli.ts';
import { REPO_ROOT, type TempProject } from '../helpers/project.ts';
import { shippedProject } from './support/shipped-project.ts';

const ID = 'exp_checkout_button_001';
const HOSTILE = 'Checkout <script>alert("memo")</script> {{constructor}} {{> x}}';
const FILES = [`target/memos/${ID}.md`, `target/reports/${ID}.html`, `target/memos/${ID}.json`] as const;

let p: TempProject;
const read = (): string[] => FILES.map((f) => p.read(f));
const memoStep = (stdout: string): string | undefined => stdout.split('\n').find((l) => / memo( |$)/.test(l) && /OK|SKIP|FAIL/.test(l));

beforeAll(async () => {
  p = shippedProject({ only: [ID], nUsers: 2000, edit: { [ID]: { name: HOSTILE } } });
  const r = await xp(p.root, 'build', '--select', ID, '--generate-synth');
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
});
afterAll(() => p?.remove());

describe('memo stage in xp build', () => {
  it('writes the memo, its data and the report, and records the memo in the ledger', async () => {
    for (const f of FILES) expect(existsSync(p.file(f)), f).toBe(true);
    const md = p.read(FILES[0]);
    for (const h of ['## Decision:', '## Key metrics', '## Guardrails', '## CUPED', '## Difference-in-differences', '## Sample ratio and data quality', '## Sequential status', '## What was skipped and why', '## Reproducibility']) {
      expect(md).toContain(h);
    }
    expect(md).toMatch(/\| `conversion` \(primary\) \| `treatment` \| [\d,]+ \/ [\d,]+ \|/);
    const data = JSON.parse(p.read(FILES[2])) as { fingerprint: string; memo: { schema: string; experiment: { id: string } } };
    expect(data.memo).toMatchObject({ schema: 'xp-memo/1', experiment: { id: ID } });
    const status = await xp(p.root, 'status', ID, '--format', 'json');
    expect(JSON.parse(status.stdout).state.memo).toMatchObject({ path: `target/memos/${ID}.md` });
  });

  it('keeps the hostile experiment name as text in the .md and the .html', () => {
    const [md, html] = read();
    expect(md).toContain('# Checkout &lt;script>alert("memo")&lt;/script> {{constructor}} {{> x}}');
    expect(html).toContain('Checkout &lt;script&gt;alert(&quot;memo&quot;)&lt;/script&gt; {{constructor}} {{&gt; x}}');
    expect(md).not.toContain('<script');
    expect(html).not.toContain('<script');
  });

  it('a rebuild with nothing new is fresh and rewrites nothing', async () => {
    const before = read();
    const r = await xp(p.root, 'build', '--select', ID, '--verbose');
    expect(r.code).toBe(0);
    expect(memoStep(r.stdout)).toMatch(/SKIP .* memo fresh/);
    expect(read()).toEqual(before);
  });

  it('two builds of the same inputs give the same bytes (--full-refresh, and from scratch)', async () => {
    const before = read();
    const full = await xp(p.root, 'build', '--select', ID, '--full-refresh');
    expect(full.code).toBe(0);
    expect(memoStep(full.stdout)).toMatch(/OK .* memo/);
    expect(read()).toEqual(before);
    rmSync(p.file('target/memos'), { recursive: true });
    rmSync(p.file('target/reports'), { recursive: true });
    expect((await xp(p.root, 'build', '--select', ID)).code).toBe(0);
    expect(read()).toEqual(before);
  });

  it('--skip-memo skips it and leaves the files alone', async () => {
    const before = read();
    const r = await xp(p.root, 'build', '--select', ID, '--full-refresh', '--skip-memo', '--verbose');
    expect(r.code).toBe(0);
    expect(memoStep(r.stdout)).toMatch(/SKIP .* memo flag/);
    expect(read()).toEqual(before);
  });

  it('a skipped analysis is named in the memo; the next full build restores the same memo', async () => {
    const before = read();
    expect((await xp(p.root, 'build', '--select', ID, '--skip-cuped')).code).toBe(0);
    const md = p.read(FILES[0]);
    expect(md).toContain('- `analysis:cuped`: skipped with --skip-cuped');
    expect(md).toContain('_cuped: skipped with --skip-cuped._');
    expect((await xp(p.root, 'build', '--select', ID)).code).toBe(0);
    expect(read()).toEqual(before);
  });

  it('a failed analysis skips the memo with the reason and keeps the last memo', async () => {
    const before = read();
    // the built-in plugins ship in src/; a project plugin imports the plugin door from the checkout
    const door = path.join(REPO_ROOT, 'src/analyse/plugin.ts');
    p.write('analyses/zz_boom.ts', `import { definePlugin } from '${door}';
export default definePlugin({ name: 'zz_boom', description: 'fails', reads: [], writes: {}, async run() { throw new Error('boom'); } });
`);
    const r = await xp(p.root, 'build', '--select', ID);
    expect(r.code).toBe(1);
    expect(memoStep(r.stdout)).toMatch(/SKIP .* memo upstream analysis:zz_boom failed/);
    expect(read()).toEqual(before);
    rmSync(p.file('analyses/zz_boom.ts'));
  });
});
