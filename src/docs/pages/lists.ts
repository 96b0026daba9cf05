/** models.html, sources.html, analyses.html: one row or card per item. */
import type { DocsData } from '../collect.ts';
import { html } from '../html.ts';
import { nodeLink } from './model.ts';
import { shell } from './shell.ts';

export function modelsPage(data: DocsData): string {
  const body = html`<main class="page">
  <h1>Models</h1>
  <p>${data.models.length} models in DAG order (parents before children).</p>
  <table class="list"><thead><tr><th>model</th><th>materialized</th><th>stage</th><th>description</th><th>tests</th></tr></thead><tbody>
  ${data.models.map((m) => html`<tr><td><a href="models/${m.name}.html"><code>${m.name}</code></a><div class="where">${m.path}</div></td><td>${m.materialized}</td><td>${m.stage}</td><td>${m.description ?? ''}</td><td class="num">${m.columns.reduce((k, c) => k + c.tests.length, m.tests.length)} data · ${m.unitTests.length} unit</td></tr>`)}
  </tbody></table>
</main>`;
  return shell({ title: 'Models', project: data.project, section: 'models', root: '', body, notes: data.notes, asOf: data.asOf });
}

export function sourcesPage(data: DocsData): string {
  const body = html`<main class="page">
  <h1>Sources</h1>
  <p>Raw tables, stored per experiment partition. Only staging models read them.</p>
  ${data.sources.length ? data.sources.map((s) => html`<section class="card" id="${s.name}"><h2><code>${s.name}</code></h2>
    <dl class="facts"><dt>location</dt><dd><code>${s.location}</code></dd><dt>read by</dt><dd class="chips">${s.usedBy.map((m) => nodeLink(`model:${m}`, data, ''))}</dd></dl></section>`) : html`<p class="missing">No model reads a source.</p>`}
</main>`;
  return shell({ title: 'Sources', project: data.project, section: 'sources', root: '', body, notes: data.notes, asOf: data.asOf });
}

export function analysesPage(data: DocsData): string {
  const body = html`<main class="page">
  <h1>Analyses</h1>
  <p>Analysis plugins (<code>analyses/*.ts</code>), in the order they run. Each reads models or earlier plugins' tables and writes its own tables, partitioned by experiment.</p>
  ${data.analyses.length ? data.analyses.map((a) => html`<section class="card" id="${a.name}"><h2>${a.name}</h2>
    <p class="description">${a.description}</p>
    <dl class="facts"><dt>file</dt><dd><code>${a.path}</code></dd>
      <dt>reads</dt><dd class="chips">${a.reads.map((r) => (data.models.some((m) => m.name === r) ? nodeLink(`model:${r}`, data, '') : html`<code>${r}</code> `))}</dd>
      ${a.after.length ? html`<dt>runs after</dt><dd>${a.after.join(', ')}</dd>` : ''}
      ${a.optional ? html`<dt>optional</dt><dd>a failure warns and the build continues</dd>` : ''}
    </dl>
    <h3>Writes</h3>
    ${Object.entries(a.writes).map(([table, cols]) => html`<p><code>exp.${table}</code>: ${Object.entries(cols).map(([c, t], i) => html`${i ? ', ' : ''}<code>${c}</code> <span class="type">${t}</span>`)}</p>`)}
  </section>`) : html`<p class="missing">No analysis plugins in analyses/.</p>`}
</main>`;
  return shell({ title: 'Analyses', project: data.project, section: 'analyses', root: '', body, notes: data.notes, asOf: data.asOf });
}
