/** The memo/report Handlebars environment: escaping on in both formats, strict, helpers. */
import { describe, expect, it } from 'vitest';
import { createReportEnv, escapeMarkdown, htmlText, markdownCode, markdownText } from '../../src/report/template-env.ts';
import { plainTemplateError, scanBlocks } from '../../src/report/template-errors.ts';

/** The TEMPLATE_ERROR a template raises when compiled and rendered with `data`. */
function templateError(kind: 'markdown' | 'html', source: string, data: unknown = {}): { message: string; location: { file?: string; line?: number } } {
  try {
    createReportEnv(kind).compile(source, 'analyses/templates/memo.md.hbs').render(data);
  } catch (e) {
    return e as { message: string; location: { file?: string; line?: number } };
  }
  throw new Error('no error');
}

const HOSTILE = 'Checkout <script>alert("x")</script> {{constructor}} {{> evil}} *bold* [a](javascript:x) | pipe';

describe('report template environment', () => {
  it('HTML: user text is escaped and never evaluated as a template', () => {
    const out = createReportEnv('html').compile('<h1>{{name}}</h1>', 't.hbs').render({ name: HOSTILE });
    expect(out).not.toContain('<script>');
    expect(out).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(out).toContain('{{constructor}} {{&gt; evil}}');
  });

  it('Markdown: md escapes tags, emphasis, links and table pipes but keeps the text readable', () => {
    const out = createReportEnv('markdown').compile('# {{md name}}', 't.hbs').render({ name: HOSTILE });
    expect(out).toBe('# Checkout &lt;script>alert("x")&lt;/script> {{constructor}} {{> evil}} \\*bold\\* [a\\](javascript:x) \\| pipe');
    expect(escapeMarkdown('p < 0.001 & A & B; exp_a_b _x_')).toBe('p < 0.001 & A & B; exp_a_b \\_x\\_');
    expect(escapeMarkdown('# heading\nnext')).toBe('\\# heading next');
    expect(escapeMarkdown('&amp;')).toBe('&amp;amp;');
  });

  it('Markdown: a plain {{value}} is still HTML-escaped, code writes an inert code span', () => {
    const env = createReportEnv('markdown');
    expect(env.compile('{{v}}', 't').render({ v: '<b>' })).toBe('&lt;b&gt;');
    expect(env.compile('{{code v}}', 't').render({ v: 'exp_a' })).toBe('`exp_a`');
    expect(markdownCode('a`b')).toBe('``a`b``');
  });

  it('strict: a field that is not in the data is a TEMPLATE_ERROR naming the template', () => {
    const t = createReportEnv('markdown').compile('{{md headline.labl}}', 'analyses/templates/memo.md.hbs');
    expect(() => t.render({ headline: { label: 'Ship' } })).toThrow(expect.objectContaining({ code: 'TEMPLATE_ERROR', location: expect.objectContaining({ file: 'analyses/templates/memo.md.hbs' }) }));
  });

  it('a syntax error is a TEMPLATE_ERROR, raised when the template is compiled', () => {
    expect(() => createReportEnv('html').compile('{{#if x}}', 'r.hbs')).toThrow(expect.objectContaining({ code: 'TEMPLATE_ERROR' }));
  });

  it.each([
    ['an unclosed block, at the line that opens it', '# t\n\n{{#if x}}\nbody\n', 3, '{{#if}} is never closed: add {{/if}} where the block ends'],
    ['a closing tag of another block', 'a\n{{#each rows}}\n{{/if}}', 2, '{{/if}} closes the open block {{#each}}: close {{#each}} first (or fix the name)'],
    ['a missing brace', 'a\nb {{foo bar}', 2, 'this {{ }} expression cannot be read in "b {{foo bar}": a brace is missing, or a character that has no place there'],
    ['a {{{ closed with }}', '{{x}}\n{{{y}}', 2, 'a {{{ is closed with }}: close it with }}} (or open it with {{)'],
    ['a field that is not in the data', 'x\n\n{{nope.there}}', 3, '`nope.there` is not a field of the data (nor a helper of this template)'],
    ['a helper of the other format', 'x\n{{svg x}}', 2, '`svg` is not a field of the data (nor a helper of this template)'],
  ])('%s: file:line and a plain message, never the parser\'s token list', (_, source, line, message) => {
    const e = templateError('markdown', source, { x: 1 });
    expect(e.location).toMatchObject({ file: 'analyses/templates/memo.md.hbs', line });
    expect(e.message).toBe(`memo template analyses/templates/memo.md.hbs:${line}: ${message}`);
    expect(e.message).not.toMatch(/Expecting|'[A-Z_]{3,}'|\[object Object\]/);
  });

  it('a missing partial and a helper argument outside the data say so plainly', () => {
    expect(createReportEnv('html').compile.bind(null, '{{> nowhere}}', 'r.hbs')).not.toThrow();
    expect(() => createReportEnv('html').compile('{{> nowhere}}', 'r.hbs').render({})).toThrow(/the partial `nowhere` does not exist/);
    expect(templateError('markdown', 'a\n{{md headline.nope}}', { headline: {} }).message).toBe('memo template analyses/templates/memo.md.hbs:2: md: the argument is not a field of the data');
    expect(plainTemplateError('', new Error('#if requires exactly one argument'))).toEqual({ message: '#if requires exactly one argument' });
    expect(scanBlocks('{{!-- {{#if}} --}}{{#each a}}{{#if b}}{{/if}}').open).toEqual([{ name: 'each', line: 1 }]);
  });

  it('text from the analyses: a backtick span stays code in Markdown and becomes <code> in HTML', () => {
    const note = 'a draft: `xp experiment start` it; 2 < 3 & *no* | pipe';
    expect(markdownText(note)).toBe('a draft: `xp experiment start` it; 2 < 3 & \\*no\\* \\| pipe');
    expect(htmlText(note)).toBe('a draft: <code>xp experiment start</code> it; 2 &lt; 3 &amp; *no* | pipe');
    expect(htmlText('`<script>x</script>`')).toBe('<code>&lt;script&gt;x&lt;/script&gt;</code>');
    expect(markdownText('a lone ` backtick')).toBe('a lone \\` backtick');
    expect(markdownText('`a|b`')).toBe('`a\\|b`');
    expect(createReportEnv('html').compile('{{text v}}', 't').render({ v: 'run `xp build`' })).toBe('run <code>xp build</code>');
  });

  it('svg admits a drawn chart and refuses scripts, handlers and external references', () => {
    const t = createReportEnv('html').compile('{{svg s}}', 'r.hbs');
    const ok = '<svg xmlns="http://www.w3.org/2000/svg"><g clip-path="url(#c1)"><path d="M0,0"/></g></svg>';
    expect(t.render({ s: ok })).toBe(ok);
    for (const bad of ['<script>alert(1)</script>', '<svg><script>x</script></svg>', '<svg onload="x()"></svg>', '<svg><image href="http://x/y.png"/></svg>', 'text']) {
      expect(() => t.render({ s: bad }), bad).toThrow(/svg/);
    }
  });
});
