/**
 * YAML errors point where the mistake is: an unclosed flow collection or quote at the line
 * (and column) where it opened, not where YAML noticed; aliases that cannot be resolved or
 * that expand without bound are CONFIG_PARSE naming the file, never a crash (exit 4); YAML
 * in a model's header comment counts lines from the top of the SQL file.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { XpError } from '../../src/core/errors.ts';
import { MAX_ALIAS_COUNT, parseYaml } from '../../src/project/yaml-source.ts';
import { loadConfig } from '../../src/project/load-config.ts';
import { loadModels } from '../../src/project/load-models.ts';
import { fixtureProject, type TempProject } from '../helpers/project.ts';

function parseError(text: string): XpError {
  try {
    parseYaml(text, 'x.yaml');
  } catch (err) {
    if (err instanceof XpError) return err;
    throw err;
  }
  throw new Error('parsed without an error');
}

const where = (e: XpError): string => `${e.location.file}:${e.location.line}${e.location.column !== undefined ? `:${e.location.column}` : ''}`;

describe('parseYaml: syntax errors point at the mistake', () => {
  it.each([
    { name: 'unclosed flow map, blank lines after it', text: 'a: 1\nb: {c: 1\n\n\n', at: 'x.yaml:2:4', message: 'invalid YAML: Flow map in block collection must be sufficiently indented and end with a }' },
    { name: 'unclosed flow sequence at the end', text: 'a: [1, 2\n', at: 'x.yaml:1:4', message: 'invalid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]' },
    { name: 'unclosed outer map around a closed inner one', text: 'a: { x: {y: 1}, z: 2\nb: 1\n', at: 'x.yaml:1:4', message: 'invalid YAML: Flow map in block collection must be sufficiently indented and end with a }' },
    { name: 'quote that runs over later lines', text: 'a: 1\nb: "abc\nc: 1\nd: 2\n', at: 'x.yaml:2:4', message: 'invalid YAML: Missing closing "quote' },
    { name: 'single quote', text: "a: 'x\nb: 1\n", at: 'x.yaml:1:4', message: "invalid YAML: Missing closing 'quote" },
    // errors YAML reports at the right place stay there
    { name: 'duplicate key', text: 'a: 1\nb: 2\na: 3\n', at: 'x.yaml:3:1', message: 'invalid YAML: Map keys must be unique' },
    { name: 'bad indentation', text: 'a:\n  b: 1\n c: 2\n', at: 'x.yaml:3:1', message: 'invalid YAML: All mapping items must start at the same column' },
    { name: 'tab indentation', text: 'a:\n\tb: 1\n', at: 'x.yaml:2:1', message: 'invalid YAML: Tabs are not allowed as indentation' },
  ])('$name → $at', ({ text, at, message }) => {
    const err = parseError(text);
    expect(err.code).toBe('CONFIG_PARSE');
    expect(where(err)).toBe(at);
    expect(err.message).toBe(message);
    expect(err.exitCode).toBe(2);
  });
});

describe('parseYaml: aliases', () => {
  it('a billion-laughs document is CONFIG_PARSE at its first alias, exit 2, not an internal error', () => {
    const levels = ['a: &a "lol"', ...'bcdefgh'.split('').map((k, i) => `${k}: &${k} [${Array(9).fill(`*${'abcdefgh'[i]}`).join(', ')}]`)];
    const err = parseError(`# header\n${levels.join('\n')}\n`);
    expect(err.code).toBe('CONFIG_PARSE');
    expect(err.message).toBe(`invalid YAML: its aliases expand to too many values (more than ${MAX_ALIAS_COUNT} expansions; a "billion laughs" document?)`);
    expect(where(err)).toBe('x.yaml:3');
    expect(err.exitCode).toBe(2);
  });

  it('an alias before (or without) its anchor is CONFIG_PARSE at the alias', () => {
    const err = parseError('a: *later\nb: &later 1\n');
    expect(err.message).toBe('invalid YAML: alias *later has no anchor &later before it');
    expect(where(err)).toBe('x.yaml:1');
  });

  it('a few aliases for shared values still work', () => {
    const src = parseYaml('base: &v { control: 0.5, treatment: 0.5 }\nx: *v\ny: *v\n', 'x.yaml');
    expect(src.data).toEqual({ base: { control: 0.5, treatment: 0.5 }, x: { control: 0.5, treatment: 0.5 }, y: { control: 0.5, treatment: 0.5 } });
  });
});

describe('YAML in a model header comment', () => {
  let p: TempProject | undefined;
  afterEach(() => p?.remove());

  it('counts lines from the top of the SQL file, blank lines before the header included', () => {
    p = fixtureProject('mini');
    p.write('models/core/late_header.sql', '\n\n/*---\nmaterialized: table\nmaterialised: view\n---*/\nselect 1 as x\n');
    let err: unknown;
    try {
      loadModels(loadConfig('configs/dev.yaml', p.root));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(XpError);
    expect((err as XpError).message).toBe('invalid build settings in the header comment: unknown key "materialised"');
    expect((err as XpError).location).toEqual({ file: 'models/core/late_header.sql', line: 5 });
  });

  it('a syntax error in the header names its line in the file', () => {
    p = fixtureProject('mini');
    p.write('models/core/bad_header.sql', '\n/*--- tags: [a, b ---*/\nselect 1 as x\n');
    let err: unknown;
    try {
      loadModels(loadConfig('configs/dev.yaml', p.root));
    } catch (e) {
      err = e;
    }
    expect((err as XpError).code).toBe('CONFIG_PARSE');
    expect((err as XpError).location.line).toBe(2);
  });
});
