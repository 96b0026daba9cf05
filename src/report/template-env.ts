/**
 * The memo and report Handlebars environment: an isolated instance with escaping ON (the
 * SQL environment in src/template/sql-env.ts is the other door to Handlebars, with
 * escaping off). Strict: a field missing from the data throws, so a template cannot
 * silently print nothing where a number belongs.
 *
 * Every `{{value}}` is HTML-escaped. Markdown needs more than that: `md` also neutralises
 * the characters that would turn user text (an experiment name, a hypothesis) into
 * emphasis, links or a broken table row, and `code` writes an identifier as an inert code
 * span. Text from the analyses marks commands and names with backticks
 * ("`xp experiment start` it"): `md` keeps such a span as a code span and the HTML
 * report's `text` as <code>, so neither shows a literal backtick. `svg` admits a chart
 * the report renderer drew, and nothing else. Values are never re-parsed as templates,
 * so a `{{` in a name stays text.
 */
import Handlebars from 'handlebars';
import { XpError } from '../core/errors.ts';
import { plainTemplateError } from './template-errors.ts';

export type TemplateKind = 'markdown' | 'html';

export interface ReportTemplates {
  render(data: unknown): string;
}

export interface ReportEnv {
  /** compile `source` (named `file` in errors) with the partials given to the env */
  compile(source: string, file: string): ReportTemplates;
}

/** HTML special characters as entities (what `{{value}}` does by default). */
export function escapeHtml(text: string): string {
  return Handlebars.escapeExpression(text);
}

/**
 * Text for Markdown that stays readable in the raw file and inert when rendered: `<` and
 * `&` become entities only where they could open a tag or an entity (so "p < 0.001" and
 * "A & B" read as written), backslash escapes for emphasis, code, strikethrough, table
 * pipes and link brackets, and one line (a newline would end a table row or a heading).
 * Underscores inside words are left alone (CommonMark does not treat them as emphasis),
 * so `exp_checkout_button` stays readable.
 */
export function escapeMarkdown(text: string): string {
  return text
    .replace(/\r?\n|\r/g, ' ')
    .replace(/&(?=[A-Za-z#])/g, '&amp;')
    .replace(/<(?=[A-Za-z/!?])/g, '&lt;')
    .replace(/[\\`*|~]/g, (c) => `\\${c}`)
    .replace(/\](?=[([])/g, '\\]')
    .replace(/(^|[^A-Za-z0-9])_|_(?=[^A-Za-z0-9]|$)/g, (m) => m.replace('_', '\\_'))
    .replace(/^([#+>-]|\d+\.)(?=\s|$)/, '\\$1');
}

/**
 * An identifier as a code span; a backtick inside gets a longer fence. A pipe is escaped
 * (GitHub's tables split cells at a pipe even inside a code span, and show `\|` as `|`).
 */
export function markdownCode(text: string): string {
  const one = text.replace(/\r?\n|\r/g, ' ').replace(/\|/g, '\\|');
  const fence = one.includes('`') ? '``' : '`';
  const pad = one.startsWith('`') || one.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${one}${pad}${fence}`;
}

/** Text split into plain parts and `code` spans (a lone backtick stays plain text). */
function codeSpans(text: string): { code: boolean; text: string }[] {
  const parts: { code: boolean; text: string }[] = [];
  let last = 0;
  for (const m of text.matchAll(/`([^`\r\n]+)`/g)) {
    if (m.index > last) parts.push({ code: false, text: text.slice(last, m.index) });
    parts.push({ code: true, text: m[1]! });
    last = m.index + m[0].length;
  }
  if (last < text.length) parts.push({ code: false, text: text.slice(last) });
  return parts;
}

/** Text for Markdown (escapeMarkdown) whose `backtick` spans stay code spans. */
export function markdownText(text: string): string {
  return codeSpans(text.replace(/\r?\n|\r/g, ' ')).map((p) => (p.code ? markdownCode(p.text) : escapeMarkdown(p.text))).join('');
}

/** Text for HTML, escaped, whose `backtick` spans become <code>. */
export function htmlText(text: string): string {
  return codeSpans(text).map((p) => (p.code ? `<code>${escapeHtml(p.text)}</code>` : escapeHtml(p.text))).join('');
}

/** A chart drawn by src/report/charts: one <svg> element, no script, no external reference. */
function trustedSvg(svg: unknown): string {
  if (typeof svg !== 'string' || !/^<svg[\s>]/.test(svg) || !svg.trimEnd().endsWith('</svg>')) {
    throw new Error('svg expects a chart rendered by src/report/charts (a string starting with <svg)');
  }
  if (/<script|<foreignObject|\son\w+\s*=|(?:href|src)\s*=\s*["'](?!#)/i.test(svg)) {
    throw new Error('svg refuses markup with scripts, event handlers or external references');
  }
  return svg;
}

/**
 * Handlebars' strict mode checks `{{path}}` but not the arguments of helpers, so the
 * helpers check them: `undefined` is a field the data does not have (absent values are
 * `null` in the memo data and print nothing).
 */
function defined(helper: string, value: unknown, options: unknown): unknown {
  if (value === undefined) {
    const loc = (options as { loc?: { start?: { line?: number } } } | undefined)?.loc?.start?.line;
    throw new Error(`${helper}: the argument is not a field of the data${loc ? ` (line ${loc})` : ''}`);
  }
  return value;
}

function text(value: unknown): string {
  if (value === null) return '';
  return typeof value === 'string' ? value : String(value);
}

export function createReportEnv(kind: TemplateKind, partials: Readonly<Record<string, string>> = {}): ReportEnv {
  const hb = Handlebars.create();
  if (kind === 'markdown') {
    hb.registerHelper('md', (value: unknown, o: unknown) => new hb.SafeString(markdownText(text(defined('md', value, o)))));
    hb.registerHelper('code', (value: unknown, o: unknown) => new hb.SafeString(markdownCode(text(defined('code', value, o)))));
  } else {
    hb.registerHelper('svg', (value: unknown, o: unknown) => new hb.SafeString(trustedSvg(defined('svg', value, o))));
    hb.registerHelper('text', (value: unknown, o: unknown) => new hb.SafeString(htmlText(text(defined('text', value, o)))));
  }
  hb.registerHelper('eq', (a: unknown, b: unknown, o: unknown) => defined('eq', a, o) === defined('eq', b, o));
  for (const [name, source] of Object.entries(partials)) hb.registerPartial(name, source);
  return {
    compile(source, file) {
      let template: Handlebars.TemplateDelegate;
      try {
        // parse now (compile alone defers it to the first render), so syntax errors surface
        // here; compile takes the tree (its whitespace control not applied yet: compile
        // applies it, as to a string), so the template is parsed once, not twice
        template = hb.compile(hb.parseWithoutProcessing(source), { strict: true, noEscape: false, preventIndent: true });
      } catch (cause) {
        throw templateError(file, source, cause);
      }
      return {
        render(data) {
          try {
            return template(data);
          } catch (cause) {
            throw templateError(file, source, cause);
          }
        },
      };
    },
  };
}

/** "memo template analyses/templates/memo.md.hbs:12: {{#if}} is never closed: add {{/if}} …" */
function templateError(file: string, source: string, cause: unknown): XpError {
  const plain = plainTemplateError(source, cause);
  return new XpError('TEMPLATE_ERROR', `memo template ${file}${plain.line ? `:${plain.line}` : ''}: ${plain.message}`, {
    location: { file, ...(plain.line ? { line: plain.line } : {}), ...(plain.column !== undefined ? { column: plain.column } : {}) },
    hint: 'fix the template; it renders only fields of the memo data (target/memos/<experiment>.json shows them)',
    cause,
  });
}
