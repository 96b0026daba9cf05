/**
 * Generic data tests from a model's properties file: `columns[].tests` and `tests`.
 * Each entry is a kind name (`- not_null`) or a one-key map (`- accepted_values: {...}`).
 * Problems are MODEL_INVALID errors naming file:line.
 */
import { XpError } from '../../core/errors.ts';
import type { Dag } from '../../graph/dag.ts';
import type { ModelNode } from '../../project/types.ts';
import type { YamlSource } from '../../project/yaml-source.ts';
import { GENERIC_KINDS, type GenericArgs, type GenericKind, type GenericTest } from '../types.ts';
import { COLUMN_ONLY, EXAMPLES, genericArgSchemas, type CommonArgs } from './generic-schema.ts';

const REF = /^\s*ref\(\s*(['"])([^'"]+)\1\s*\)\s*$/;

/** `ref('exposures')`, `ref("exposures")` or `exposures` → `exposures` */
export function parseRefTarget(to: string): string {
  return REF.exec(to)?.[2] ?? to.trim();
}

interface Entry {
  readonly kind: string;
  readonly raw: unknown;
}

function entryOf(value: unknown): Entry | undefined {
  if (typeof value === 'string') return { kind: value, raw: {} };
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const keys = Object.keys(value);
    if (keys.length === 1) return { kind: keys[0]!, raw: (value as Record<string, unknown>)[keys[0]!] ?? {} };
  }
  return undefined;
}

function argsOf(kind: GenericKind, parsed: Record<string, unknown>, column: string | undefined): GenericArgs {
  const col = column!;
  switch (kind) {
    case 'not_null':
      return { kind, column: col };
    case 'unique':
    case 'unique_combination':
      return { kind: 'unique', columns: (parsed['columns'] as string[] | undefined) ?? [col] };
    case 'accepted_values':
      return { kind, column: col, values: parsed['values'] as (string | number | boolean)[] };
    case 'relationships':
      return { kind, column: col, to: parseRefTarget(parsed['to'] as string), field: parsed['field'] as string };
    case 'accepted_range':
      return {
        kind,
        column: col,
        min: (parsed['min'] ?? parsed['min_value']) as number | string | undefined,
        max: (parsed['max'] ?? parsed['max_value']) as number | string | undefined,
        inclusive: parsed['inclusive'] as boolean,
      };
    case 'row_count':
      return { kind, min: parsed['min'] as number | undefined, max: parsed['max'] as number | undefined };
    case 'expression_is_true': {
      const expression = parsed['expression'] as string;
      // under a column, dbt_utils applies the expression to it: `>= 0` means `col >= 0`
      return { kind, expression: column ? `"${column.replaceAll('"', '""')}" ${expression}` : expression };
    }
  }
}

function defaultId(model: string, kind: GenericKind, args: GenericArgs, column: string | undefined): string {
  if (args.kind === 'unique' && (kind === 'unique_combination' || !column)) return `unique_${model}_${args.columns.join('__')}`;
  return column ? `${kind}_${model}_${column}` : `${kind}_${model}`;
}

export function parseGenericTests(node: ModelNode, src: YamlSource, dag: Dag): GenericTest[] {
  const out: GenericTest[] = [];
  const autoIds = new Map<string, number>();
  const fail = (at: readonly PropertyKey[], message: string, hint: string): never => {
    throw new XpError('MODEL_INVALID', message, {
      location: { file: src.file, line: src.lineOf(at), model: node.name },
      hint,
    });
  };
  const add = (value: unknown, at: readonly PropertyKey[], column: string | undefined): void => {
    const entry = entryOf(value);
    if (!entry) fail(at, 'a test is a name (- not_null) or a map with one key (- accepted_values: { values: [a, b] })', `e.g.\n    ${EXAMPLES.accepted_values}`);
    const { kind, raw } = entry!;
    if (!(GENERIC_KINDS as readonly string[]).includes(kind)) {
      fail(at, `unknown test "${kind}"`, `generic tests: ${GENERIC_KINDS.join(', ')}; write other checks as SQL in tests/models/singular/`);
    }
    const k = kind as GenericKind;
    if (COLUMN_ONLY.has(k) && !column) fail(at, `${k} is a column test: declare it under columns: - name: <column> tests:`, `e.g.\n    ${EXAMPLES[k]}`);
    if (k === 'unique' && !column && raw && typeof raw === 'object' && !('columns' in raw)) {
      fail(at, 'a model-level unique test needs columns: [...]', `e.g.\n    ${EXAMPLES.unique}`);
    }
    if (k === 'unique' && column && raw && typeof raw === 'object' && 'columns' in raw) {
      fail(at, 'unique under a column tests that column; for a combination use a model-level test', `e.g.\n    ${EXAMPLES.unique_combination}`);
    }
    const parsed = genericArgSchemas[k].safeParse(raw ?? {});
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const keyPath = issue.code === 'unrecognized_keys' ? [issue.keys[0]!] : issue.path;
      const what = issue.code === 'unrecognized_keys' ? `unknown argument "${issue.keys[0]}"` : `${issue.path.join('.') || 'arguments'}: ${issue.message}`;
      throw new XpError('MODEL_INVALID', `test ${k}: ${what}`, {
        location: { file: src.file, line: src.lineOf([...at, k, ...keyPath]), model: node.name },
        hint: `e.g.\n    ${EXAMPLES[k]}\n  with optional severity: warn|error and where: <sql predicate>`,
      });
    }
    const p = parsed.data as Record<string, unknown> & CommonArgs;
    const args = argsOf(k, p, column);
    if (args.kind === 'relationships' && !dag.nodes.has(args.to)) {
      fail([...at, k, 'to'], `relationships: "${args.to}" is not a model`, "write to: ref('<model>') with a model name from `xp ls`");
    }
    let id = p.name;
    if (!id) {
      // two auto-named tests of the same kind on the same column get _2, _3…
      const auto = defaultId(node.name, k, args, column);
      const n = (autoIds.get(auto) ?? 0) + 1;
      autoIds.set(auto, n);
      id = n === 1 ? auto : `${auto}_${n}`;
    }
    out.push({
      type: 'generic',
      id,
      kind: k,
      model: node.name,
      column,
      severity: p.severity ?? p.config?.severity ?? 'error',
      where: p.where ?? p.config?.where,
      args,
      location: { file: src.file, line: src.lineOf(at) },
    });
  };

  node.properties.columns.forEach((c, i) => {
    const tests = c.tests ?? [];
    if (!Array.isArray(tests)) fail(['columns', i, 'tests'], `column ${c.name}: tests must be a list`, `e.g.\n    tests:\n      ${EXAMPLES.not_null}`);
    tests.forEach((t, j) => add(t, ['columns', i, 'tests', j], c.name));
  });
  if (!Array.isArray(node.properties.tests)) fail(['tests'], 'tests must be a list', `e.g.\n    tests:\n      ${EXAMPLES.row_count}`);
  node.properties.tests.forEach((t, j) => add(t, ['tests', j], undefined));
  return out;
}
