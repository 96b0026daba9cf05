/** The frame every docs page shares: head, navigation, footer. */
import { html, type SafeHtml } from '../html.ts';

export type Section = 'lineage' | 'models' | 'sources' | 'analyses' | 'experiments';

export interface ShellOptions {
  readonly title: string;
  readonly project: string;
  readonly section: Section;
  /** '' for pages at the site root, '../' one folder down */
  readonly root: string;
  readonly body: SafeHtml;
  readonly notes?: readonly string[];
  readonly generatedAt: string;
  /** extra scripts under assets/ */
  readonly scripts?: readonly string[];
  readonly bodyClass?: string;
}

const NAV: readonly [Section, string, string][] = [
  ['lineage', 'Lineage', 'index.html'],
  ['models', 'Models', 'models.html'],
  ['sources', 'Sources', 'sources.html'],
  ['analyses', 'Analyses', 'analyses.html'],
  ['experiments', 'Experiments', 'experiments.html'],
];

// Scripts and styles come only from the site's own files; nothing is fetched from a network.
const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'";

export function shell(o: ShellOptions): string {
  const page = html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${CSP}">
<link rel="icon" href="data:,">
<title>${o.title} · ${o.project} docs</title>
<link rel="stylesheet" href="${o.root}assets/docs.css">
</head>
<body class="${o.bodyClass ?? ''}">
<header class="top">
  <a class="brand" href="${o.root}index.html">${o.project}</a>
  <nav>${NAV.map(([s, label, href]) => html`<a href="${o.root}${href}"${s === o.section ? html` aria-current="page"` : ''}>${label}</a>`)}</nav>
</header>
${o.body}
<footer class="foot">generated ${o.generatedAt} by <code>xp docs generate</code>${(o.notes ?? []).map((n) => html`<div class="note">${n}</div>`)}</footer>
${(o.scripts ?? []).map((s) => html`<script src="${o.root}assets/${s}"></script>`)}
</body>
</html>
`;
  return page.value;
}
