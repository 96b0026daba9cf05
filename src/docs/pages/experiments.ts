/** experiments.html and experiments/<id>.html: design, status, last build, health, decision, memo. */
import type { DocsData } from '../collect.ts';
import type { ExperimentDoc } from '../collect-experiments.ts';
import { html, withCode, type SafeHtml } from '../html.ts';
import { fmtCount, fmtPercent } from '../../report/format.ts';
import { shell } from './shell.ts';

function healthBadge(e: ExperimentDoc): SafeHtml {
  if (!e.health) return html`<span class="health health-unknown">health unknown</span>`;
  return html`<span class="health health-${e.health.status}" title="xp health score ${e.health.score}">health ${e.health.status} · ${e.health.score}</span>`;
}

function buildBadge(e: ExperimentDoc): SafeHtml {
  return html`<span class="health build-${e.buildState}" title="${e.buildDetail}">build ${e.buildState}</span>`;
}

export function experimentsPage(data: DocsData): string {
  const body = html`<main class="page">
  <h1>Experiments</h1>
  ${data.experiments.length ? html`<table class="list"><thead><tr><th>experiment</th><th>status</th><th>decision</th><th>health</th><th>last build</th><th>primary metric</th><th>memo</th></tr></thead><tbody>
  ${data.experiments.map((e) => html`<tr><td><a href="experiments/${encodeURIComponent(e.id)}.html"><code>${e.id}</code></a><div>${e.name}</div></td>
    <td>${e.status}</td><td>${e.ledgerDecision?.decision ?? '—'}</td><td>${healthBadge(e)}</td><td>${e.lastBuild ? html`${e.lastBuild.at}<div>${buildBadge(e)}</div>` : '—'}</td>
    <td>${e.primaryMetric}</td><td>${e.memo ? html`<a href="${e.memo.slice(3)}">memo</a>` : '—'}${e.report ? html` · <a href="${e.report.slice(3)}">report</a>` : ''}</td></tr>`)}
  </tbody></table>` : html`<p class="missing">No experiments configured.</p>`}
</main>`;
  return shell({ title: 'Experiments', project: data.project, section: 'experiments', root: '', body, notes: data.notes, asOf: data.asOf });
}

/**
 * The decision as the memo words it (report/memo/headline.ts): the label in its tone, the
 * plugin's one-line summary, the primary result, sequential position, sensitivity and
 * rule, then why and what else to know. Never the raw exp.decisions row.
 */
function decisionCard(d: NonNullable<ExperimentDoc['decision']>): SafeHtml {
  const facts = [
    ['Primary metric', d.primary], ['Sequential', d.progress], ['Sensitivity', d.mde], ['Rule applied', d.ruleText],
  ].filter((f): f is [string, string] => f[1] !== null);
  return html`<div class="decision-card tone-${d.tone}">
    <h3>${d.label}</h3>
    ${d.summary ? html`<p><strong>${withCode(d.summary)}</strong></p>` : ''}
    ${facts.length ? html`<ul>${facts.map(([k, v]) => html`<li>${k}: ${withCode(v)}</li>`)}</ul>` : ''}
    ${d.reasons.length ? html`<p>Why:</p><ul class="reasons">${d.reasons.map((r) => html`<li>${withCode(r)}</li>`)}</ul>` : ''}
    ${d.notes.length ? html`<p>Notes:</p><ul class="notes">${d.notes.map((r) => html`<li>${withCode(r)}</li>`)}</ul>` : ''}
  </div>`;
}

export function experimentPage(e: ExperimentDoc, data: DocsData): string {
  const root = '../';
  const b = e.lastBuild;
  const body = html`<main class="page">
  <p class="crumbs"><a href="${root}experiments.html">Experiments</a> / ${e.id}</p>
  <h1>${e.name} <code class="id">${e.id}</code></h1>
  <p class="badges"><span class="badge">${e.status}</span>${healthBadge(e)}${buildBadge(e)}${e.statusSince ? html`<span class="where">since ${e.statusSince}</span>` : ''}</p>
  ${e.hypothesis ? html`<p class="description"><strong>Hypothesis:</strong> ${e.hypothesis}</p>` : ''}
  ${e.description ? html`<p class="description">${e.description}</p>` : ''}

  <section><h2>Memo and report</h2><p>
    ${e.memo ? html`<a class="action" href="${e.memo}">decision memo (markdown)</a>` : html`<span class="missing">No memo yet (target/memos/${e.id}.md): run <code>xp build --select ${e.id}</code>.</span>`}
    ${e.report ? html` <a class="action" href="${e.report}">HTML report</a>` : ''}
  </p></section>

  <section><h2>Decision</h2>
    ${e.ledgerDecision && !(e.decision && e.decision.decision === e.ledgerDecision.decision) ? html`<p class="decision">The ledger records <strong>${e.ledgerDecision.decision}</strong>${e.ledgerDecision.reason ? html` — ${withCode(e.ledgerDecision.reason)}` : ''} <span class="where">recorded ${e.ledgerDecision.at}${e.ledgerDecision.look ? ` at look ${e.ledgerDecision.look}` : ''}</span></p>` : ''}
    ${e.looks ? html`<p>${e.looks.taken} sequential look${e.looks.taken === 1 ? '' : 's'} taken, alpha spent ${e.looks.alphaSpent.toPrecision(3)}</p>` : ''}
    ${e.decision ? decisionCard(e.decision) : e.ledgerDecision ? '' : html`<p class="missing">No decision recorded yet.</p>`}
    ${e.decision && e.ledgerDecision?.decision === e.decision.decision ? html`<p class="where">recorded in the ledger ${e.ledgerDecision.at}${e.ledgerDecision.look ? ` at look ${e.ledgerDecision.look}` : ''}</p>` : ''}
    ${e.decision && e.report ? html`<p class="where">the numbers in full: the <a href="${e.report}">HTML report</a>${e.memo ? html` or the <a href="${e.memo}">memo</a>` : ''}</p>` : ''}</section>

  <section><h2>Last build</h2>${b ? html`<dl class="facts"><dt>run</dt><dd><code>${b.runId}</code> · ${b.command}</dd><dt>finished</dt><dd>${b.at}</dd>
      <dt>result</dt><dd>${b.status}: ${b.built} built, ${b.failed} failed, ${b.skipped} skipped</dd></dl>
      ${b.errors.length ? html`<ul class="errors">${b.errors.map((s) => html`<li><code>${s.node}</code>: ${s.message ?? 'failed'}</li>`)}</ul>` : ''}` : html`<p class="missing">No build recorded.</p>`}
    <p class="where">${e.buildDetail}</p></section>

  <section><h2>Health</h2>${e.health ? html`<p>${healthBadge(e)} <span class="where">as of ${data.asOf}, as <code>xp health --select ${e.id} --as-of ${data.asOf}</code> reports it</span></p>
    <table><thead><tr><th>check</th><th>status</th><th>value</th><th>detail</th></tr></thead><tbody>
    ${e.health.checks.map((c) => html`<tr><td>${c.check}</td><td><span class="health health-${c.status}">${c.status}</span></td><td>${c.value}</td><td>${withCode(c.detail)}</td></tr>`)}
    </tbody></table>` : html`<p class="missing">No warehouse to assess.</p>`}</section>

  <section><h2>Design</h2><dl class="facts">
    <dt>owner</dt><dd>${e.owner ?? '—'}</dd>
    <dt>variants</dt><dd>${Object.entries(e.variants).map(([v, share], i) => html`${i ? ', ' : ''}${v} ${fmtPercent(share)}${v === e.control ? ' (control)' : ''}`)}</dd>
    <dt>primary metric</dt><dd>${e.primaryMetric}</dd>
    <dt>secondary</dt><dd>${e.secondaryMetrics.join(', ') || '—'}</dd>
    <dt>guardrails</dt><dd>${e.guardrails.join(', ') || '—'}</dd>
    <dt>window</dt><dd>${e.start}, ${e.days} days${e.prePeriodDays ? `, ${e.prePeriodDays} pre-period days` : ''}</dd>
    <dt>sequential</dt><dd>${e.sequential ?? 'fixed horizon'}</dd>
  </dl></section>

  <section><h2>Partitions</h2>${e.partitions.length ? html`<table><thead><tr><th>model</th><th>rows</th><th>built at</th></tr></thead><tbody>
    ${e.partitions.map((p) => html`<tr><td>${data.models.some((m) => m.name === p.model) ? html`<a href="${root}models/${p.model}.html">${p.model}</a>` : p.model}</td><td class="num">${fmtCount(p.rows)}</td><td>${p.builtAt}</td></tr>`)}
  </tbody></table>` : html`<p class="missing">Nothing built for this experiment yet.</p>`}</section>
</main>`;
  return shell({ title: e.name, project: data.project, section: 'experiments', root, body, notes: data.notes, asOf: data.asOf });
}
