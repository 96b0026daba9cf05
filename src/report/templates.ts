/**
 * The project's memo and report templates, analyses/templates/: memo.md.hbs, report.html.hbs
 * and partials (any other *.html.hbs, registered by the name before `.html.hbs`). Loading
 * is I/O; rendering is a pure function of the templates and the data.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { MemoData } from './memo-data.ts';
import type { Chart } from './charts/render-charts.ts';
import { createReportEnv } from './template-env.ts';

export const TEMPLATE_DIR = 'analyses/templates';
export const MEMO_TEMPLATE = 'memo.md.hbs';
export const REPORT_TEMPLATE = 'report.html.hbs';

export interface TemplateSources {
  readonly memo: { readonly file: string; readonly source: string };
  readonly report: { readonly file: string; readonly source: string };
  readonly partials: Readonly<Record<string, string>>;
}

/** The templates of the project at `root`, or undefined when it has no memo template (no memo stage). */
export function loadTemplates(root: string): TemplateSources | undefined {
  const dir = path.join(root, TEMPLATE_DIR);
  const memo = path.join(dir, MEMO_TEMPLATE);
  if (!existsSync(memo)) return undefined;
  const report = path.join(dir, REPORT_TEMPLATE);
  const partials: Record<string, string> = {};
  for (const f of readdirSync(dir).sort()) {
    if (f.endsWith('.html.hbs') && f !== REPORT_TEMPLATE) partials[f.slice(0, -'.html.hbs'.length)] = readFileSync(path.join(dir, f), 'utf8');
  }
  return {
    memo: { file: `${TEMPLATE_DIR}/${MEMO_TEMPLATE}`, source: readFileSync(memo, 'utf8') },
    report: { file: `${TEMPLATE_DIR}/${REPORT_TEMPLATE}`, source: existsSync(report) ? readFileSync(report, 'utf8') : '' },
    partials,
  };
}

export interface ReportCharts {
  readonly lift: readonly Chart[];
  readonly sequential: Chart;
  readonly sampleRatio: Chart;
  readonly did: readonly Chart[];
}

export function groupCharts(charts: readonly Chart[]): ReportCharts {
  const one = (id: string): Chart => charts.find((c) => c.id === id) ?? { id, title: id, svg: null, note: 'not drawn' };
  return {
    lift: charts.filter((c) => c.id.startsWith('lift-')),
    sequential: one('sequential'),
    sampleRatio: one('sample-ratio'),
    did: charts.filter((c) => c.id.startsWith('did-')),
  };
}

/** The memo's Markdown: ends with exactly one newline. */
export function renderMemo(t: TemplateSources, memo: MemoData): string {
  const out = createReportEnv('markdown').compile(t.memo.source, t.memo.file).render(memo);
  return `${out.replace(/\n{3,}/g, '\n\n').trim()}\n`;
}

/** The HTML report, or undefined when the project has no report template. */
export function renderReport(t: TemplateSources, memo: MemoData, charts: readonly Chart[]): string | undefined {
  if (!t.report.source) return undefined;
  const env = createReportEnv('html', t.partials);
  return env.compile(t.report.source, t.report.file).render({ memo, charts: groupCharts(charts) });
}
