/**
 * The memo stage in real builds of the shipped project (small synthetic data): files and
 * ledger record, escaping of a hostile experiment name, byte-identical rebuilds, fresh
 * when nothing changed, --skip-memo, a skipped analysis; a failure skips the memo only
 * when the memo reads what failed (as dbt skips only a failed node's descendants).
 */
import { existsSync, rmSync, writeFileSync } from 'node:fs';
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
    expect(md).toMatch(/\| `conversion` \(primary, share of users\) \| `treatment` \| [\d,]+ \/ [\d,]+ \|/);
    // the build registered the experiment as a draft: said near the top
    expect(md.split('\n').slice(0, 6).join('\n')).toContain(`**Status: draft — results are not recorded as looks until \`xp experiment start ${ID}\`**`);
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

  it('fresh by its inputs key; an unknown key falls back to comparing the content, which stores the key again', async () => {
    const data = JSON.parse(p.read(FILES[2])) as { fingerprint: string; inputs: string; memo: unknown };
    expect(data.inputs).toMatch(/^[0-9a-f]{64}$/);
    const [md, html] = read();
    // a memo written by a version that kept no key (or any other key): content decides
    writeFileSync(p.file(FILES[2]), `${JSON.stringify({ ...data, inputs: 'from another version' }, null, 2)}\n`);
    const r = await xp(p.root, 'build', '--select', ID, '--verbose');
    expect(r.code).toBe(0);
    expect(memoStep(r.stdout)).toMatch(/SKIP .* memo fresh/);
    expect(read()).toEqual([md, html, `${JSON.stringify(data, null, 2)}\n`]);
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

  // the built-in plugins ship in src/; a project plugin imports the plugin door from the checkout
  const door = path.join(REPO_ROOT, 'src/analyse/plugin.ts');

  it('a failed analysis the memo reads skips the memo with the reason and keeps the last memo', async () => {
    const before = read();
    // a project plugin named like a built-in replaces it: this decision plugin writes the memo's exp.decisions, and fails
    p.write('analyses/decision.ts', `import { definePlugin } from '${door}';
export default definePlugin({ name: 'decision', description: 'fails', reads: [], writes: { decisions: { decision: 'varchar' } }, async run() { throw new Error('boom'); } });
`);
    const r = await xp(p.root, 'build', '--select', ID);
    expect(r.code).toBe(1);
    expect(memoStep(r.stdout)).toMatch(/SKIP .* memo upstream analysis:decision failed/);
    expect(read()).toEqual(before);
    rmSync(p.file('analyses/decision.ts'));
  });

  it('a failed analysis the memo does not read fails the build, but the memo is written and names it', async () => {
    p.write('analyses/zz_boom.ts', `import { definePlugin } from '${door}';
export default definePlugin({ name: 'zz_boom', description: 'fails', reads: [], writes: {}, async run() { throw new Error('boom'); } });
`);
    try {
      const r = await xp(p.root, 'build', '--select', ID);
      expect(r.code).toBe(1);
      expect(memoStep(r.stdout)).toMatch(/OK .* memo/);
      expect(p.read(FILES[0])).toContain('- `analysis:zz_boom`: failed, and nothing in this memo reads it: analysis zz_boom failed: boom');
    } finally {
      rmSync(p.file('analyses/zz_boom.ts'));
    }
  });

  it('a failed model nothing reads (no edge to the memo) fails the build; the memo is still written, and restored once fixed', async () => {
    expect((await xp(p.root, 'build', '--select', ID)).code).toBe(0);
    const before = read();
    p.write('models/core/variant_summary.sql', 'select {{partition}} as experiment_id, no_such_column from {{ref "exposures"}}\n');
    try {
      const r = await xp(p.root, 'build', '--select', ID);
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(/FAIL .*variant_summary/);
      expect(memoStep(r.stdout)).toMatch(/OK .* memo/);
      const md = p.read(FILES[0]);
      expect(md).toMatch(/- `variant_summary`: failed, and nothing in this memo reads it: .*no_such_column/);
      expect(md).toContain('## Key metrics');
    } finally {
      rmSync(p.file('models/core/variant_summary.sql'));
    }
    expect((await xp(p.root, 'build', '--select', ID)).code).toBe(0);
    expect(read()).toEqual(before);
  });

  it('a failed model the memo reads, or one above it, skips the memo', async () => {
    const before = read();
    const file = p.file('models/checks/srm_counts.sql');
    const good = p.read('models/checks/srm_counts.sql');
    p.write('models/checks/srm_counts.sql', `${good.trimEnd()}\nwhere no_such_column = 1\n`);
    try {
      const r = await xp(p.root, 'build', '--select', ID);
      expect(r.code).toBe(1);
      expect(memoStep(r.stdout)).toMatch(/SKIP .* memo upstream srm_counts failed/);
      expect(read()).toEqual(before);
    } finally {
      writeFileSync(file, good);
    }
  });

  it('a project without a report template writes the same memo and no report (its charts are not drawn)', async () => {
    const [md] = read();
    const template = p.file('analyses/templates/report.html.hbs');
    const source = p.read('analyses/templates/report.html.hbs');
    rmSync(template);
    rmSync(p.file('target/reports'), { recursive: true });
    try {
      const r = await xp(p.root, 'build', '--select', ID, '--full-refresh');
      expect(r.code).toBe(0);
      expect(memoStep(r.stdout)).toMatch(/OK .* memo/);
      expect(p.read(FILES[0])).toBe(md);
      expect(existsSync(p.file(FILES[1]))).toBe(false);
    } finally {
      writeFileSync(template, source);
    }
    expect((await xp(p.root, 'build', '--select', ID)).code).toBe(0);
    expect(existsSync(p.file(FILES[1]))).toBe(true);
  });
});
