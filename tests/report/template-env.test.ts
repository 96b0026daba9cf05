/** The memo/report Handlebars environment: escaping on in both formats, strict, helpers. */
import { describe, expect, it } from 'vitest';
import { createReportEnv, escapeMarkdown, markdownCode } from '../../src/report/template-env.ts';

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

  it('a syntax error is a TEMPLATE_ERROR', () => {
    expect(() => createReportEnv('html').compile('{{#if x}}', 'r.hbs').render({ x: 1 })).toThrow(expect.objectContaining({ code: 'TEMPLATE_ERROR' }));
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
