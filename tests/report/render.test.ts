/**
 * The shipped templates (analyses/templates) rendered from constructed memo data: every
 * section is there, user text stays text in Markdown and HTML, and rendering is a pure
 * function of the data.
 */
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/project.ts';
import { buildMemoData } from '../../src/report/build-memo-data.ts';
import { loadTemplates, renderMemo, renderReport } from '../../src/report/templates.ts';
import type { Chart } from '../../src/report/charts/render-charts.ts';
import { abRow, experiment, inputs, step } from './support/inputs.ts';

const templates = loadTemplates(REPO_ROOT)!;
const HOSTILE = 'Button <script>alert("memo")</script> {{constructor}} {{#each x}}*';

const memo = buildMemoData(inputs({
  experiment: experiment({ name: HOSTILE, hypothesis: 'a | b <img src=x onerror=alert(1)>' }),
  tables: {
    decisions: [{ decision: 'keep-running', rule: 'inconclusive', headline: 'not enough data <b>yet</b>', reasons: ['look 1 of 4: z = 1.1 < 4.33', { code: 'GUARDRAIL_HARM', kind: 'blocking', metric: 'bounce_rate', variant: 'treatment', message: 'bounce rate is significantly worse' }], look: 1, planned_looks: 4, information_fraction: 0.25 }],
    analysis_results: [abRow({ estimator: 'cuped' }), abRow({ metric: 'bounce_rate', metric_role: 'guardrail', guardrail_margin: 0.01, guardrail_pass: false, guardrail_harm: true })],
    sequential_looks: [{ look: 1, is_current: true, variant: 'treatment', status: 'ok', look_note: 'the experiment is a draft: the look is computed but not recorded; `xp experiment start` it to take looks' }],
  },
  steps: [step('analysis:did', { status: 'skipped', reason: 'flag' })],
  ledger: { status: 'draft' },
}));
const charts: Chart[] = [
  { id: 'lift-conversion', title: 'Cumulative relative lift: conversion', svg: '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><path d="M0,0L5,5"/></svg>', note: null },
  { id: 'sequential', title: 'Sequential', svg: null, note: 'no day has an estimable z statistic yet' },
];

describe('memo template', () => {
  const md = renderMemo(templates, memo);

  it('has every section, in order', () => {
    const headings = md.split('\n').filter((l) => l.startsWith('#')).map((l) => l.replace(/^#+ /, ''));
    expect(headings).toEqual([
      expect.stringContaining('Button'), 'Decision: Keep running', 'Design', 'Key metrics', 'Guardrails', 'CUPED (variance reduction)',
      'Difference-in-differences and pre-trends', 'Sample ratio and data quality', 'Sequential status', 'What was skipped and why', 'Reproducibility',
    ]);
    expect(md).toContain('| `conversion` (primary, share of users) | `treatment` | 12,345 / 12,301 | 10.0% | 10.3% | CUPED | +0.31 pp [+0.12 pp, +0.50 pp] | +3.1% [+1.2%, +5.0%] | 0.0042 | 0.0042 | 99.7% | yes (better) |');
    expect(md).toContain('| `bounce_rate` | `treatment` | increase |');
    expect(md).toContain('**worse**');
    expect(md).toContain('- `analysis:did`: skipped with --skip-did');
    expect(md).toContain('_did: skipped with --skip-did._');
    expect(md.endsWith('\n') && !md.endsWith('\n\n')).toBe(true);
    expect(md).not.toMatch(/\n\n\n/);
  });

  it('puts the draft status near the top, above the decision', () => {
    const lines = md.split('\n');
    const status = lines.findIndex((l) => l.startsWith('**Status: draft'));
    expect(status).toBeGreaterThan(0);
    expect(status).toBeLessThan(lines.findIndex((l) => l.startsWith('## Decision')));
    expect(lines[status]).toBe('**Status: draft — results are not recorded as looks until `xp experiment start exp_memo`**');
  });

  it('writes backtick spans from the analyses as code spans, never escaped backticks; the rule in words', () => {
    expect(md).toContain('- Note: the experiment is a draft: the look is computed but not recorded; `xp experiment start` it to take looks');
    expect(md).not.toContain('\\`');
    expect(md).toContain('- Rule applied: inconclusive: no significant effect on the primary metric');
    expect(md).not.toMatch(/Rule applied: `/);
  });

  it('keeps user text as text: no tag, no template, no emphasis', () => {
    expect(md).toContain('# Button &lt;script>alert("memo")&lt;/script> {{constructor}} {{#each x}}\\*');
    expect(md).toContain('Hypothesis: a \\| b &lt;img src=x onerror=alert(1)>');
    expect(md).toContain('**not enough data &lt;b>yet&lt;/b>**');
    expect(md).not.toMatch(/<script|<img|<b>/);
  });

  it('is the same bytes for the same data', () => {
    expect(renderMemo(templates, structuredClone(memo))).toBe(md);
  });
});

describe('report template', () => {
  const html = renderReport(templates, memo, charts)!;

  it('is one self-contained page: no script, no external reference, a CSP that forbids both', () => {
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).toContain(`content="default-src 'none'; style-src 'unsafe-inline'; img-src data:"`);
    expect(html).not.toMatch(/<script|<link|\ssrc=|https?:\/\/(?!www\.w3\.org)/i);
  });

  it('escapes user text', () => {
    expect(html).toContain('<h1 id="experiment-name">Button &lt;script&gt;alert(&quot;memo&quot;)&lt;/script&gt; {{constructor}} {{#each x}}*</h1>');
    expect(html).toContain('a | b &lt;img src&#x3D;x onerror&#x3D;alert(1)&gt;');
  });

  it('shows backtick spans as <code>, with no backtick left in the page; the status above the decision', () => {
    expect(html).toContain('the look is computed but not recorded; <code>xp experiment start</code> it to take looks');
    expect(html).toContain('<p class="status" id="status"><strong>Status: draft — results are not recorded as looks until <code>xp experiment start exp_memo</code></strong></p>');
    expect(html.indexOf('id="status"')).toBeLessThan(html.indexOf('id="decision"'));
    const text = html.replace(/<style>[\s\S]*?<\/style>/, '').replace(/<[^>]+>/g, '');
    expect(text).not.toContain('`');
  });

  it('inlines drawn charts without repeating their title in a caption, and says why a chart is missing', () => {
    expect(html).toContain('<figure class="chart" data-chart="lift-conversion"><div class="plot" role="img" aria-label="Cumulative relative lift: conversion"><svg');
    expect(html).toMatch(/data-chart="lift-conversion"><div class="plot"[^]*?<\/svg><\/div><\/figure>/);
    expect(html).toContain('<figure class="chart empty" data-chart="sequential"><figcaption>Sequential: no day has an estimable z statistic yet.</figcaption></figure>');
    expect(html).toContain('data-chart="sample-ratio"');
  });
});
