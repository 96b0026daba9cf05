/**
 * The live portfolio page `xp docs serve` answers at /portfolio.html: a frame whose
 * table assets/portfolio.js fills from /api/portfolio.json and refreshes by polling, so
 * the page follows the state store without `xp docs generate`. Not part of the static
 * site (it needs the server's JSON); its CSP adds connect-src 'self' for the poll.
 */
import { html } from '../html.ts';

const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'";

/** `refreshMs`: how often the page polls the JSON endpoint. */
export function portfolioPage(project: string, refreshMs: number): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${CSP}">
<link rel="icon" href="data:,">
<title>Portfolio · ${project}</title>
<link rel="stylesheet" href="assets/docs.css">
<link rel="stylesheet" href="assets/portfolio.css">
</head>
<body data-refresh-ms="${refreshMs}">
<header class="top">
  <a class="brand" href="index.html">${project}</a>
  <nav><a href="index.html">Lineage</a><a href="experiments.html">Experiments</a><a href="portfolio.html" aria-current="page">Portfolio</a></nav>
</header>
<main class="portfolio">
<h1>Portfolio</h1>
<form id="filters" class="filters">
  <label>status <select id="f-status"><option value="">any</option></select></label>
  <label>health <select id="f-health"><option value="">any</option><option>ok</option><option>warn</option><option>critical</option><option>unknown</option></select></label>
  <label>layer <select id="f-layer"><option value="">any</option></select></label>
  <label><input type="checkbox" id="f-flagged"> flagged overlaps only</label>
  <label>search <input type="search" id="f-text" placeholder="id or name"></label>
</form>
<p id="summary" class="summary">loading…</p>
<table id="portfolio">
<thead><tr><th>experiment</th><th>status</th><th>health</th><th>decision</th><th>looks</th><th>alpha spent</th><th>layer</th><th>window</th><th>overlaps</th><th>last build</th></tr></thead>
<tbody></tbody>
</table>
<div id="notes" class="notes"></div>
</main>
<footer class="foot">live: refreshed from the state store every <span id="every"></span>; last refresh <span id="refreshed">never</span></footer>
<script src="assets/portfolio.js"></script>
</body>
</html>
`.value;
}
