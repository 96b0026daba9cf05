/** models/<name>.html: description, columns, tests, config, SQL, upstream and downstream. */
import type { DocsData, ModelDoc, TestDoc } from '../collect.ts';
import { html, type SafeHtml } from '../html.ts';
import { fmtCount } from '../../report/format.ts';
import { shell } from './shell.ts';

export function nodeLink(id: string, data: DocsData, root: string): SafeHtml {
  const n = data.graph.nodes.find((x) => x.id === id);
  if (!n) return html`<span>${id}</span>`;
  return html`<a class="chip kind-${n.kind}" href="${root}${n.href}">${n.label}</a>`;
}

export function testBadge(t: TestDoc): SafeHtml {
  const status = t.lastStatus ? html` <span class="status status-${t.lastStatus}">${t.lastStatus}</span>` : '';
  return html`<li title="${t.id} · ${t.location}"><code>${t.summary}</code>${t.severity === 'warn' ? html` <span class="sev">warn</span>` : ''}${status}</li>`;
}

function sqlBlock(title: string, sql: string, open: boolean): SafeHtml {
  return html`<details class="sql"${open ? html` open` : ''}><summary>${title}</summary><pre><code>${sql}</code></pre></details>`;
}

export function modelPage(m: ModelDoc, data: DocsData): string {
  const root = '../';
  const body = html`<main class="page">
  <p class="crumbs"><a href="${root}models.html">Models</a> / ${m.path}</p>
  <h1>${m.name}</h1>
  <p class="badges"><span class="badge">${m.materialized}</span><span class="badge">stage ${m.stage}</span>${m.tags.map((t) => html`<span class="badge tag">${t}</span>`)}
    <a class="action" href="${root}index.html#${encodeURIComponent(`model:${m.name}`)}">view in lineage</a></p>
  ${m.description ? html`<p class="description">${m.description}</p>` : html`<p class="description missing">No description: add one in ${m.propertiesPath ?? m.path.replace(/\.sql$/, '.yml')}.</p>`}

  <section><h2>Columns</h2>
  ${m.columns.length ? html`<table class="columns"><thead><tr><th>column</th><th>type</th><th>description</th><th>tests</th></tr></thead><tbody>
    ${m.columns.map((c) => html`<tr${c.missing ? html` class="missing"` : ''}><td><code>${c.name}</code></td><td>${c.type ?? (c.missing ? 'not in the table' : '')}</td><td>${c.description ?? ''}</td><td><ul class="tests">${c.tests.map(testBadge)}</ul></td></tr>`)}
  </tbody></table>` : html`<p class="missing">No columns known yet: build the model or declare them in its properties file.</p>`}
  </section>

  <section><h2>Model tests</h2>
  ${m.tests.length ? html`<ul class="tests">${m.tests.map(testBadge)}</ul>` : html`<p class="missing">None.</p>`}
  ${m.unitTests.length ? html`<h3>Unit tests</h3><ul class="unit-tests">${m.unitTests.map((u) => html`<li><code>${u.name}</code>${u.description ? html` — ${u.description}` : ''} <span class="where">${u.location}</span></li>`)}</ul>` : ''}
  </section>

  <section class="two"><div><h2>Upstream</h2>${m.upstream.length ? html`<p class="chips">${m.upstream.map((id) => nodeLink(id, data, root))}</p>` : html`<p class="missing">None.</p>`}</div>
  <div><h2>Downstream</h2>${m.downstream.length ? html`<p class="chips">${m.downstream.map((id) => nodeLink(id, data, root))}</p>` : html`<p class="missing">None.</p>`}</div></section>

  <section><h2>Config</h2><dl class="facts">
    <dt>materialized</dt><dd>${m.materialized}</dd><dt>stage</dt><dd>${m.stage}</dd>
    <dt>tags</dt><dd>${m.tags.join(', ') || '—'}</dd><dt>file</dt><dd><code>${m.path}</code></dd>
    <dt>properties</dt><dd>${m.propertiesPath ? html`<code>${m.propertiesPath}</code>` : '—'}</dd>
  </dl></section>

  <section><h2>SQL</h2>
  ${m.compiled.sql !== undefined ? sqlBlock(`Compiled (${m.compiled.label})`, m.compiled.sql, true) : html`<p class="error">${m.compiled.label}: ${m.compiled.error ?? ''}</p>`}
  ${sqlBlock(`Source (${m.path})`, m.rawSql, m.compiled.sql === undefined)}
  </section>

  ${m.partitions.length ? html`<section><h2>Built partitions</h2><table><thead><tr><th>experiment</th><th>rows</th><th>built at</th></tr></thead><tbody>
    ${m.partitions.map((p) => html`<tr><td>${p.experimentId ? html`<a href="${root}experiments/${encodeURIComponent(p.experimentId)}.html">${p.experimentId}</a>` : '(project)'}</td><td class="num">${fmtCount(p.rows)}</td><td>${p.builtAt}</td></tr>`)}
  </tbody></table></section>` : ''}
</main>`;
  return shell({ title: m.name, project: data.project, section: 'models', root, body, notes: data.notes, asOf: data.asOf });
}
