/**
 * YAML documents that remember where each value came from, so a validation error can name
 * file:line. Every YAML file the project reads goes through here.
 */
import { readFileSync } from 'node:fs';
import { LineCounter, parseDocument, visit, isCollection, isMap, isNode, isScalar, type Alias, type Document, type YAMLError } from 'yaml';
import { XpError, type ErrorCode } from '../core/errors.ts';
import { memo } from '../core/parse-cache.ts';
import { sha256 } from '../core/hash.ts';

export interface YamlSource {
  readonly file: string;
  readonly data: unknown;
  /** 1-based line of the value at `path`, or of its nearest existing ancestor */
  lineOf(path: readonly PropertyKey[]): number;
}

/** Alias expansions allowed while building the data: enough for shared blocks, not for a "billion laughs" bomb. */
export const MAX_ALIAS_COUNT = 100;

/**
 * Where to point for a syntax error. An unclosed flow collection (`{ a: 1` …) or quoted
 * scalar is only detected where the next token starts, a line (or several blank lines)
 * below the mistake; point at where that construct opened instead.
 */
function errorOffset(doc: Document, error: YAMLError): number {
  const at = error.pos[0];
  let opened: number | undefined;
  visit(doc, (_key, node) => {
    if (!isNode(node) || !node.range) return;
    const unclosable = (isCollection(node) && node.flow) || (isScalar(node) && (node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE'));
    // the unclosed construct is the innermost one whose value runs up to the error
    if (unclosable && node.range[1] === at && node.range[0] < at && (opened === undefined || node.range[0] > opened)) opened = node.range[0];
  });
  return opened ?? at;
}

/** The first alias whose anchor is not defined before it, else the first alias: where an alias problem shows. */
function firstAlias(doc: Document): { alias: Alias; unresolved: boolean } | undefined {
  let found: { alias: Alias; unresolved: boolean } | undefined;
  visit(doc, {
    Alias(_key, node) {
      const unresolved = node.resolve(doc) === undefined;
      if (!found || (unresolved && !found.unresolved)) found = { alias: node, unresolved };
      if (unresolved) return visit.BREAK;
      return undefined;
    },
  });
  return found;
}

export interface ParseOptions {
  /** lines of the file before `text` (YAML embedded in a SQL header comment) */
  readonly lineOffset?: number;
}

/**
 * Parse `text` (the YAML of `file`). The data comes from the parse cache when this text
 * was parsed before (src/core/parse-cache.ts); the document itself is parsed only when a
 * line is asked for, which only an error does.
 */
export function parseYaml(text: string, file: string, options: ParseOptions = {}): YamlSource {
  let parsed: YamlSource | undefined;
  const full = (): YamlSource => (parsed ??= parseDocumentOf(text, file, options));
  const key = [sha256(text), String(options.lineOffset ?? 0)];
  const data = memo('yaml', key, () => full().data);
  // a config names each experiment's line (Experiment.line), so lines are remembered too
  const lineOf = (p: readonly PropertyKey[]): number =>
    p.some((k) => typeof k === 'symbol') ? full().lineOf(p) : memo('yaml-line', [...key, JSON.stringify(p)], () => full().lineOf(p));
  return { file, data, lineOf };
}

function parseDocumentOf(text: string, file: string, options: ParseOptions): YamlSource {
  const lineOffset = options.lineOffset ?? 0;
  const lineCounter = new LineCounter();
  const doc: Document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const first = doc.errors[0];
  if (first) {
    const pos = lineCounter.linePos(errorOffset(doc, first));
    throw new XpError('CONFIG_PARSE', `invalid YAML: ${first.message.split('\n')[0]}`, {
      location: { file, line: pos.line + lineOffset, column: pos.col },
      hint: 'fix the YAML syntax (indentation, quotes, colons) at that line',
    });
  }
  const lineOf = (path: readonly PropertyKey[]): number => {
    for (let len = path.length; len >= 0; len--) {
      // A map entry: the line of its key, not of its value (a block value starts below).
      const parent = len > 0 ? doc.getIn(path.slice(0, len - 1) as unknown[], true) : undefined;
      if (isMap(parent)) {
        const pair = parent.items.find((p) => String(isScalar(p.key) ? p.key.value : p.key) === String(path[len - 1]));
        if (pair && isNode(pair.key) && pair.key.range) return lineCounter.linePos(pair.key.range[0]).line;
      }
      const node = doc.getIn(path.slice(0, len) as unknown[], true);
      if (isNode(node) && node.range) return lineCounter.linePos(node.range[0]).line;
      // a missing key: point at the key of the parent map if there is one
    }
    return 1;
  };
  const alias = firstAlias(doc);
  const aliasLine = alias?.alias.range ? lineCounter.linePos(alias.alias.range[0]).line + lineOffset : undefined;
  if (alias?.unresolved) {
    throw new XpError('CONFIG_PARSE', `invalid YAML: alias *${alias.alias.source} has no anchor &${alias.alias.source} before it`, {
      location: { file, line: aliasLine },
      hint: `define &${alias.alias.source} on a value above this line, or write the value out`,
    });
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (cause) {
    // With every alias resolved, the one way toJS fails is the expansion limit.
    throw new XpError('CONFIG_PARSE', `invalid YAML: its aliases expand to too many values (more than ${MAX_ALIAS_COUNT} expansions; a "billion laughs" document?)`, {
      location: { file, line: aliasLine },
      hint: 'repeat the values instead of nesting aliases (*name) of aliases',
      cause,
    });
  }
  return { file, data, lineOf: (p) => lineOf(p) + lineOffset };
}

export function readYaml(file: string, missing: ErrorCode = 'CONFIG_NOT_FOUND'): YamlSource {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    throw new XpError(missing, `cannot read ${file}`, {
      location: { file },
      hint: 'check the path (see --config) and that the file exists',
      cause,
    });
  }
  return parseYaml(text, file);
}
