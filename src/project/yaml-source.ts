/**
 * YAML documents that remember where each value came from, so a validation error can name
 * file:line. Every YAML file the project reads goes through here.
 */
import { readFileSync } from 'node:fs';
import { LineCounter, parseDocument, isMap, isNode, isScalar, type Document } from 'yaml';
import { XpError, type ErrorCode } from '../core/errors.ts';

export interface YamlSource {
  readonly file: string;
  readonly data: unknown;
  /** 1-based line of the value at `path`, or of its nearest existing ancestor */
  lineOf(path: readonly PropertyKey[]): number;
}

export function parseYaml(text: string, file: string): YamlSource {
  const lineCounter = new LineCounter();
  const doc: Document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const first = doc.errors[0];
  if (first) {
    // linePos is only filled in with prettyErrors; compute it from the offset instead.
    const pos = first.linePos?.[0] ?? lineCounter.linePos(first.pos[0]);
    throw new XpError('CONFIG_PARSE', `invalid YAML: ${first.message.split('\n')[0]}`, {
      location: { file, line: pos?.line, column: pos?.col },
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
  return { file, data: doc.toJS({ maxAliasCount: 100 }), lineOf };
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
