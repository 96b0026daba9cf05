/**
 * Handlebars' errors in words a template author can act on, with the line they point at.
 * The parser reports "Parse error on line 4: … Expecting 'OPEN_INVERSE_CHAIN', 'INVERSE',
 * 'OPEN_ENDBLOCK', got 'EOF'" (its grammar's token names) and strict mode
 * '"x" not defined in [object Object] - 3:2'; these become "line 3: {{#if}} is never
 * closed: add {{/if}}" and "line 3: `x` is not a field of the data". Pure.
 */

export interface PlainTemplateError {
  readonly message: string;
  /** 1-based, as editors count */
  readonly line?: number;
  readonly column?: number;
}

interface OpenBlock {
  readonly name: string;
  readonly line: number;
}

/** 1-based line of an offset in `source`. */
function lineAt(source: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < source.length; i++) if (source[i] === '\n') line++;
  return line;
}

/**
 * The blocks ({{#name}} … {{/name}}) left open at the end of `source`, innermost last, and
 * the first closing tag that closes nothing or the wrong block. Comments are skipped.
 */
export function scanBlocks(source: string): { open: OpenBlock[]; stray?: { name: string; line: number; expected?: string } } {
  const open: OpenBlock[] = [];
  const tag = /\{\{~?!--[\s\S]*?--~?\}\}|\{\{~?![\s\S]*?\}\}|\{\{~?\s*([#^/])\s*>?\s*([\w.@-]+)/g;
  for (const m of source.matchAll(tag)) {
    const [, kind, name] = m;
    if (!kind || !name) continue;
    const line = lineAt(source, m.index);
    if (kind === '/') {
      const top = open.pop();
      if (!top || top.name !== name) return { open: top ? [...open, top] : open, stray: { name, line, ...(top ? { expected: top.name } : {}) } };
    } else {
      open.push({ name, line });
    }
  }
  return { open };
}

/** The source line `line` (1-based), trimmed and cut to its last 60 characters. */
function sourceLine(source: string, line: number): string {
  const text = (source.split('\n')[line - 1] ?? '').trim();
  return text.length > 60 ? `…${text.slice(-60)}` : text;
}

/** The {{path}} that starts at line:column (0-based column) of `source`, e.g. headline.label. */
function pathAt(source: string, line: number, column: number): string | undefined {
  return /^[\w.@/-]+/.exec((source.split('\n')[line - 1] ?? '').slice(column))?.[0];
}

/** Tokens of the Handlebars grammar in words. */
const TOKENS: Readonly<Record<string, string>> = {
  EOF: 'the end of the template',
  INVALID: 'a character that cannot appear inside {{ }}',
  CLOSE: '}}',
  CLOSE_UNESCAPED: '}}}',
  OPEN: '{{',
  OPEN_ENDBLOCK: 'a closing {{/…}}',
  OPEN_BLOCK: 'a block {{#…}}',
  ID: 'a name',
  STRING: 'a string',
  NUMBER: 'a number',
};

/** A Handlebars error (parse, compile or strict-mode render) as a plain message and its line. */
export function plainTemplateError(source: string, cause: unknown): PlainTemplateError {
  const raw = cause instanceof Error ? cause.message : String(cause);
  const first = raw.split('\n')[0] ?? raw;
  const parse = /^Parse error on line (\d+):/.exec(first);
  if (parse) {
    const got = /got '([A-Z_]+)'/.exec(raw)?.[1];
    const blocks = scanBlocks(source);
    if (got === 'EOF' && blocks.open.length) {
      const b = blocks.open[blocks.open.length - 1]!;
      return { line: b.line, message: `{{#${b.name}}} is never closed: add {{/${b.name}}} where the block ends` };
    }
    const line = Number(parse[1]);
    const context = sourceLine(source, line);
    if (got === 'CLOSE' && /'CLOSE_UNESCAPED'/.test(raw)) return { line, message: 'a {{{ is closed with }}: close it with }}} (or open it with {{)' };
    if (got === 'INVALID') return { line, message: `this {{ }} expression cannot be read${context ? ` in "${context}"` : ''}: a brace is missing, or a character that has no place there` };
    return { line, message: `the template cannot be read here${got ? `: found ${TOKENS[got] ?? got.toLowerCase()}` : ''}${context ? ` in "${context}"` : ''}` };
  }
  const mismatch = /^(\S+) doesn't match (\S+) - (\d+):(\d+)$/.exec(first);
  if (mismatch) {
    return { line: Number(mismatch[3]), column: Number(mismatch[4]) + 1, message: `{{/${mismatch[2]}}} closes the open block {{#${mismatch[1]}}}: close {{#${mismatch[1]}}} first (or fix the name)` };
  }
  const missing = /^"([^"]+)" not defined in .* - (\d+):(\d+)$/.exec(first);
  if (missing) {
    const line = Number(missing[2]);
    const column = Number(missing[3]);
    const path = pathAt(source, line, column) ?? missing[1];
    return { line, column: column + 1, message: `\`${path}\` is not a field of the data (nor a helper of this template)` };
  }
  const partial = /^The partial (\S+) could not be found/.exec(first);
  if (partial) return { message: `the partial \`${partial[1]}\` does not exist: a partial is another *.html.hbs file in analyses/templates, named without the extension` };
  const helperLine = /\(line (\d+)\)$/.exec(first);
  return { ...(helperLine ? { line: Number(helperLine[1]) } : {}), message: first.replace(/ \(line \d+\)$/, '') };
}
