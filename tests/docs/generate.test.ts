/** xp docs generate on the fixture: pages, lineage graph, warehouse facts, escaping. */
import { afterEach, describe, expect, it } from 'vitest';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { escapeHtml, html, jsonForScript } from '../../src/docs/html.ts';
import { holdWarehouse } from '../helpers/lock.ts';
import { testedProject, type Fixture } from '../data-tests/fixture.ts';
import { xp } from '../data-tests/cli.ts';

let f: Fixture | undefined;
afterEach(() => f?.remove());

const EVIL = 'Evil </script><script>alert("x")</script> & <b>bold</b>';

function embedded(page: string): { nodes: { id: string; kind: string; sql?: { raw: string } }[]; edges: { from: string; to: string }[] } {
  const m = /<script type="application\/json" id="xp-graph">([\s\S]*?)<\/script>/.exec(page);
  return JSON.parse(m![1]!);
}

describe('xp docs generate', () => {
  it('writes the site before any build: lineage sources → models → analyses → memo, model pages, no types yet', async () => {
    f = await testedProject([]);
    const r = await xp(f.root, 'docs', 'generate');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('docs: 4 models, 1 sources, 1 analyses, 2 experiments → 11 pages');
    expect(r.stdout).toContain('note: no warehouse at target/warehouse.duckdb yet');
    expect(readdirSync(f.file('target/docs')).sort()).toEqual(['analyses.html', 'assets', 'docs.json', 'experiments', 'experiments.html', 'index.html', 'models', 'models.html', 'sources.html']);
    expect(readdirSync(f.file('target/docs/models')).sort()).toEqual(['first_seen.html', 'stg_events.html', 'user_values.html', 'variant_totals.html']);
    const index = f.read('target/docs/index.html');
    expect(index.match(/<g class="node kind-model/g)).toHaveLength(4);
    const graph = embedded(index);
    expect(graph.edges.map((e) => `${e.from} → ${e.to}`).sort()).toEqual([
      'analysis:variant_share → memo',
      'model:first_seen → model:user_values',
      'model:stg_events → model:first_seen',
      'model:stg_events → model:user_values',
      'model:user_values → model:variant_totals',
      'model:variant_totals → analysis:variant_share',
      'source:raw.events → model:stg_events',
    ]);
    const page = f.read('target/docs/models/user_values.html');
    expect(page).toContain('rendered for exp_a (not built yet)');
    expect(page).toContain('accepted_values: control, treatment');
    expect(page).toContain('sums_values_in_window');
    expect(f.read('target/docs/sources.html')).toContain('file://raw/&lt;experiment_id&gt;/events/*.parquet');
    expect(f.read('target/docs/analyses.html')).toContain('exp.variant_shares');
  });

  it('adds column types, partitions, last build and test status from the warehouse, and links the memo', async () => {
    f = await testedProject(['exp_a']);
    expect((await xp(f.root, 'build', '--select', 'exp_a')).code).toBe(0);
    expect((await xp(f.root, 'test', '--select', 'exp_a')).code).toBe(0);
    f.write('target/memos/exp_a.md', '# memo\n');
    expect((await xp(f.root, 'docs', 'generate')).code).toBe(0);
    const page = f.read('target/docs/models/user_values.html');
    expect(page).toMatch(/<td><code>first_ts<\/code><\/td><td>TIMESTAMP<\/td>/);
    expect(page).toContain('as last built for exp_a');
    expect(page).toContain('<span class="status status-pass">pass</span>');
    expect(page).toMatch(/<a href="..\/experiments\/exp_a.html">exp_a<\/a><\/td><td class="num">40<\/td>/);
    const exp = f.read('target/docs/experiments/exp_a.html');
    expect(exp).toContain('<a class="action" href="../../memos/exp_a.md">decision memo (markdown)</a>');
    // the ledger registered the experiment at its first build: status draft until `xp experiment start`
    expect(exp).toMatch(/<span class="badge">draft<\/span><span class="health health-\w+" title="xp health score \d+">health \w+ · \d+<\/span><span class="health build-ok" title="last build: 4 built, 0 failed, 0 skipped · last xp test: 14 passed, 0 failed, 0 warned">build ok<\/span>/);
    // xp health's checks: the fixture has no core exposures model, so it finds no users
    expect(exp).toContain('<tr><td>data</td><td><span class="health health-critical">critical</span></td><td>0 users</td>');
    expect(f.read('target/docs/experiments/exp_b.html')).toContain('Nothing built for this experiment yet.');
    expect(f.read('target/docs/experiments.html')).toContain('<a href="../memos/exp_a.md">memo</a>');
  });

  it('keeps user-provided text as text: descriptions, names in SQL, test values', async () => {
    f = await testedProject([]);
    f.write('models/core/user_values.yml', `description: '${EVIL.replaceAll("'", "''")}'\ncolumns:\n  - name: variant\n    description: '<img src=x onerror=alert(1)>'\n    tests:\n      - accepted_values: { values: ['<i>a</i>'] }\n`);
    f.write('models/marts/variant_totals.sql', `-- </script><script>alert(2)</script>\nselect experiment_id, variant, count(*) as users, sum(value) as total from {{ref "user_values"}} group by all\n`);
    expect((await xp(f.root, 'docs', 'generate')).code).toBe(0);
    const all = ['index.html', 'models/user_values.html', 'models/variant_totals.html', 'models.html'].map((p) => f!.read(`target/docs/${p}`)).join('\n');
    expect(all).not.toContain('<script>alert');
    expect(all).not.toContain('<img src=x');
    expect(all).not.toContain('<i>a</i>');
    expect(f.read('target/docs/models/user_values.html')).toContain('Evil &lt;/script&gt;&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;');
    // every script element on the lineage page is ours: the JSON data cannot close its element
    const index = f.read('target/docs/index.html');
    expect(index.match(/<script/g)).toHaveLength(2);
    const graph = embedded(index);
    expect(graph.nodes.find((n) => n.id === 'model:variant_totals')!.sql!.raw).toContain('</script><script>alert(2)</script>');
  });

  it('still writes the site while another process keeps the warehouse open (builds only hold it to commit), with a note', async () => {
    f = await testedProject(['exp_a']);
    expect((await xp(f.root, 'build', '--select', 'exp_a')).code).toBe(0);
    const holder = await holdWarehouse(f.file('target/warehouse.duckdb'));
    try {
      process.env['XP_WAREHOUSE_WAIT_SECONDS'] = '1'; // the child waits this long for the holder
      const r = await xp(f.root, 'docs', 'generate');
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('note: the warehouse target/warehouse.duckdb stayed in use by another process: column types and build state are left out; generate again afterwards');
      expect(f.read('target/docs/models/user_values.html')).toContain('stayed in use by another process');
    } finally {
      delete process.env['XP_WAREHOUSE_WAIT_SECONDS'];
      await holder.release();
    }
  });

  it('removes pages of deleted models', async () => {
    f = await testedProject([]);
    expect((await xp(f.root, 'docs', 'generate')).code).toBe(0);
    rmSync(f.file('models/marts/variant_totals.sql'));
    rmSync(f.file('models/marts/variant_totals.yml'));
    rmSync(f.file('tests/models/singular/totals_match_users.sql'));
    rmSync(f.file('analyses/variant_share.ts'));
    expect((await xp(f.root, 'docs', 'generate')).code).toBe(0);
    expect(existsSync(f.file('target/docs/models/variant_totals.html'))).toBe(false);
    // without analyses the memo reads the models nothing else reads
    expect(embedded(f.read('target/docs/index.html')).edges).toContainEqual({ from: 'model:user_values', to: 'memo' });
  });
});

describe('html escaping', () => {
  it('escapes interpolated values and keeps nested html fragments', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
    const inner = html`<b>${'<i>'}</b>`;
    expect(html`<p title="${'"x"'}">${inner}${['<', html`<br>`]}${null}${undefined}${false}${0}</p>`.value).toBe('<p title="&quot;x&quot;"><b>&lt;i&gt;</b>&lt;<br>0</p>');
  });

  it('embeds JSON that cannot close a script element', () => {
    const text = jsonForScript({ s: '</script><!-- & \u2028' }).value;
    expect(text).not.toMatch(/[<>&\u2028]/);
    expect(JSON.parse(text)).toEqual({ s: '</script><!-- & \u2028' });
  });
});
