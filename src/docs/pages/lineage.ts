/**
 * index.html: the lineage graph as static SVG (laid out by ELK at generate time) plus the
 * data the side panel shows, embedded as JSON. assets/lineage.js adds pan, zoom,
 * selection, ancestor/descendant highlighting and search.
 */
import type { DocsData, GraphNode } from '../collect.ts';
import { html, jsonForScript, type SafeHtml } from '../html.ts';
import type { Placed, Point } from '../layout.ts';
import { shell } from './shell.ts';

/** Panel data per node: only what the panel shows, all of it text. */
export interface PanelNode {
  readonly id: string;
  readonly kind: GraphNode['kind'];
  readonly label: string;
  readonly detail: string;
  readonly href: string;
  readonly description?: string;
  readonly facts: readonly (readonly [string, string])[];
  /** the metrics it computes, which the search also matches */
  readonly metrics?: readonly string[];
  readonly sql?: { readonly compiled?: string; readonly compiledLabel: string; readonly raw: string };
}

function panelNodes(data: DocsData): PanelNode[] {
  const models = new Map(data.models.map((m) => [`model:${m.name}`, m]));
  const sources = new Map(data.sources.map((s) => [`source:${s.name}`, s]));
  const analyses = new Map(data.analyses.map((a) => [`analysis:${a.name}`, a]));
  return data.graph.nodes.map((n) => {
    const base = { id: n.id, kind: n.kind, label: n.label, detail: n.detail, href: n.href, ...(n.metrics?.length ? { metrics: n.metrics } : {}) };
    const metricFact = n.metrics?.length ? [['metrics', n.metrics.join(', ')] as const] : [];
    const m = models.get(n.id);
    if (m) {
      const tests = m.columns.reduce((k, c) => k + c.tests.length, m.tests.length);
      return {
        ...base,
        description: m.description,
        facts: [
          ['materialized', m.materialized],
          ['stage', m.stage],
          ['file', m.path],
          ['columns', String(m.columns.length)],
          ['data tests', String(tests)],
          ['unit tests', String(m.unitTests.length)],
          ...(m.tags.length ? [['tags', m.tags.join(', ')] as const] : []),
          ...metricFact,
        ],
        sql: { compiled: m.compiled.sql ?? m.compiled.error, compiledLabel: m.compiled.label, raw: m.rawSql },
      };
    }
    const s = sources.get(n.id);
    if (s) return { ...base, facts: [['location', s.location], ['read by', s.usedBy.join(', ')]] };
    const a = analyses.get(n.id);
    if (a) {
      return {
        ...base,
        description: a.description,
        facts: [['file', a.path], ['reads', a.reads.join(', ')], ['writes', Object.keys(a.writes).join(', ')], ...(a.optional ? [['optional', 'yes: a failure warns'] as const] : []), ...metricFact],
      };
    }
    return { ...base, description: 'The decision memo and HTML report of each experiment, rendered from the analyses\' results.', facts: [['written to', 'target/memos/<experiment>.md, target/reports/<experiment>.html']] };
  });
}

const KIND_ORDER = ['source', 'model', 'analysis', 'memo'] as const;
const PLURAL: Record<(typeof KIND_ORDER)[number], string> = { source: 'sources', model: 'models', analysis: 'analyses', memo: 'memos' };

function pathOf(points: readonly Point[]): string {
  return points.map((p, i) => `${i ? 'L' : 'M'}${p.x.toFixed(1)},${p.y.toFixed(1)}`).join(' ');
}

function svg(data: DocsData, placed: Placed): SafeHtml {
  const layerClass = new Map<string, number>();
  const classOf = (n: GraphNode): string => {
    if (n.kind !== 'model') return `kind-${n.kind}`;
    const folder = n.detail.split(' · ')[1] ?? '';
    if (!layerClass.has(folder)) layerClass.set(folder, layerClass.size % 6);
    return `kind-model layer-${layerClass.get(folder)}`;
  };
  const edges = data.graph.edges.map((e, i) => html`<path class="edge" data-from="${e.from}" data-to="${e.to}" d="${pathOf(placed.edges[i]!)}" marker-end="url(#arrow)"/>`);
  const nodes = data.graph.nodes.map((n) => {
    const p = placed.nodes.get(n.id)!;
    return html`<g class="node ${classOf(n)}" data-id="${n.id}" transform="translate(${p.x.toFixed(1)},${p.y.toFixed(1)})" tabindex="0" role="button" aria-label="${n.kind} ${n.label}"><title>${n.label} (${n.detail})</title><rect width="${p.width}" height="${p.height}" rx="6"/><text x="${p.width / 2}" y="${p.height / 2}">${n.label}</text></g>`;
  });
  return html`<svg class="lineage" xmlns="http://www.w3.org/2000/svg" data-width="${placed.width.toFixed(0)}" data-height="${placed.height.toFixed(0)}" aria-label="lineage graph">
<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z"/></marker></defs>
<g class="viewport"><g class="edges">${edges}</g><g class="nodes">${nodes}</g></g>
</svg>`;
}

export function lineagePage(data: DocsData, placed: Placed): string {
  const counts = KIND_ORDER.map((k) => [k, data.graph.nodes.filter((n) => n.kind === k).length] as const).filter(([, n]) => n > 0);
  const body = html`<main class="lineage-page">
  <div class="toolbar">
    <div class="search">
      <input id="search" type="search" placeholder="Search models, sources, analyses, metrics…" autocomplete="off" aria-label="search the graph by name or metric">
      <ul id="search-results" role="listbox" hidden></ul>
    </div>
    <div class="zoom">
      <button type="button" id="zoom-in" title="zoom in">+</button>
      <button type="button" id="zoom-out" title="zoom out">−</button>
      <button type="button" id="zoom-fit" title="fit the whole graph">fit</button>
      <button type="button" id="clear" title="clear the selection (Esc)">clear</button>
    </div>
    <ul class="legend">${counts.map(([k, n]) => html`<li><span class="swatch kind-${k}"></span>${n} ${n === 1 ? k : PLURAL[k]}</li>`)}</ul>
  </div>
  <div class="graph" id="graph">${svg(data, placed)}</div>
  <aside class="panel" id="panel" hidden>
    <button type="button" class="close" id="panel-close" aria-label="close">×</button>
    <div id="panel-body"></div>
  </aside>
  <p class="hint">Drag to pan, scroll to zoom, click a node to see its SQL and highlight its ancestors and descendants.</p>
</main>
<script type="application/json" id="xp-graph">${jsonForScript({ nodes: panelNodes(data), edges: data.graph.edges })}</script>`;
  return shell({ title: 'Lineage', project: data.project, section: 'lineage', root: '', body, notes: data.notes, asOf: data.asOf, scripts: ['lineage.js'], bodyClass: 'full' });
}
