/**
 * Model unit tests: `given` rows for a model's inputs, `expect` rows for its output
 * (dbt's unit-test shape). Declared under `unit_tests:` in a model's properties file or
 * in tests/models/unit/<model>.yml. Validated up front; problems name file:line.
 */
import { z } from 'zod';
import { XpError } from '../../core/errors.ts';
import type { Dag } from '../../graph/dag.ts';
import { experimentSchema } from '../../project/config-schema.ts';
import type { Experiment, ProjectConfig } from '../../project/types.ts';
import type { YamlSource } from '../../project/yaml-source.ts';
import type { TestLocation } from '../types.ts';

export const UNIT_DIR = 'tests/models/unit';

type Value = unknown;
export type FixtureRow = Readonly<Record<string, Value>>;

export interface UnitInput {
  /** `ref:<model>` or `source:<source>.<table>` */
  readonly key: string;
  /** as written: ref('stg_exposures') */
  readonly label: string;
  readonly rows?: readonly FixtureRow[];
  readonly sql?: string;
  /** DuckDB types by column, for columns whose type the values do not say */
  readonly types: Readonly<Record<string, string>>;
  readonly line: number;
}

export interface UnitTest {
  /** `<model>::<name>` */
  readonly id: string;
  readonly name: string;
  readonly model: string;
  readonly description?: string;
  /** the experiment the model is rendered for ({{experiment.*}}, {{partition}}) */
  readonly experiment: Experiment | undefined;
  readonly vars: Readonly<Record<string, string | number | boolean | null>>;
  readonly given: readonly UnitInput[];
  readonly expect: {
    readonly rows?: readonly FixtureRow[];
    readonly sql?: string;
    /** compare in order (default: as multisets) */
    readonly ordered: boolean;
    /** relative tolerance for numbers */
    readonly tolerance: number;
    readonly line: number;
  };
  readonly location: TestLocation;
}

const rowsSchema = z.array(z.record(z.string(), z.unknown()));
const typesSchema = z.record(z.string(), z.string().regex(/^[A-Za-z][A-Za-z0-9_ ,()[\]]*$/, { message: 'expected a DuckDB type such as timestamp, double, varchar[]' }));

const inputSchema = z
  .strictObject({ input: z.string(), rows: rowsSchema.optional(), sql: z.string().optional(), types: typesSchema.default({}) })
  .refine((i) => (i.rows === undefined) !== (i.sql === undefined), { message: 'give either rows: or sql:' });

const unitTestSchema = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9_.-]+$/, { message: 'a test name uses letters, digits, _ . -' }),
  model: z.string().optional(),
  description: z.string().optional(),
  experiment: z.union([z.string(), z.record(z.string(), z.unknown())]).optional(),
  vars: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])).default({}),
  given: z.array(inputSchema).default([]),
  expect: z
    .strictObject({
      rows: rowsSchema.optional(),
      sql: z.string().optional(),
      ordered: z.boolean().default(false),
      tolerance: z.number().nonnegative().default(1e-9),
    })
    .refine((e) => (e.rows === undefined) !== (e.sql === undefined), { message: 'give either rows: or sql:' }),
});

const REF = /^\s*ref\(\s*(['"])([^'"]+)\1\s*\)\s*$/;
const SOURCE = /^\s*source\(\s*(['"])([^'"]+)\1\s*,\s*(['"])([^'"]+)\3\s*\)\s*$/;

/** ref('x') → ref:x, source('raw','t') → source:raw.t */
export function inputKey(input: string): string | undefined {
  const r = REF.exec(input);
  if (r) return `ref:${r[2]}`;
  const s = SOURCE.exec(input);
  if (s) return `source:${s[2]}.${s[4]}`;
  return undefined;
}

/** The inputs a model reads once its ephemeral parents are inlined (each may also be given directly). */
export function modelInputs(dag: Dag, model: string): Set<string> {
  const out = new Set<string>();
  const visit = (name: string): void => {
    const node = dag.nodes.get(name)!;
    for (const s of node.sources) out.add(`source:${s}`);
    for (const r of node.refs) {
      out.add(`ref:${r}`);
      if (dag.nodes.get(r)?.materialized === 'ephemeral') visit(r);
    }
  };
  visit(model);
  return out;
}

const experimentOverrides = experimentSchema.partial().extend({ id: z.string().optional() });

function resolveExperiment(config: ProjectConfig, value: string | Record<string, unknown> | undefined, fail: (msg: string, hint: string) => never): Experiment | undefined {
  const first = config.experiments[0];
  if (value === undefined) return first;
  if (typeof value === 'string') {
    const found = config.experiments.find((e) => e.id === value);
    if (!found) fail(`experiment "${value}" is not configured`, `configured: ${config.experiments.map((e) => e.id).join(', ') || '(none)'}; or give the fields inline: experiment: { id: exp_test, start: 2026-01-05, days: 14 }`);
    return found;
  }
  const parsed = experimentOverrides.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    fail(`experiment: ${issue.code === 'unrecognized_keys' ? `unknown key "${issue.keys[0]}"` : `${issue.path.join('.')}: ${issue.message}`}`, 'inline experiment fields override the first configured experiment');
  }
  // only the keys written: the schema's defaults (guardrails: [], alpha, …) must not
  // replace the configured experiment's values
  const o = Object.fromEntries(Object.entries(parsed.data!).filter(([k]) => k in value)) as Partial<Experiment> & { id?: string };
  const base = config.experiments.find((e) => e.id === o.id) ?? first;
  if (!base && (!o.variants || !o.primary_metric || !o.start || !o.days)) {
    fail('no experiment is configured to start from', 'give id, variants, primary_metric, start and days inline');
  }
  const merged = { ...(base ?? {}), ...o } as Experiment;
  const variants = Object.keys(merged.variants);
  const control = o.control ?? (o.variants ? variants[0]! : merged.control ?? variants[0]!);
  const metricNames = [...new Set([merged.primary_metric, ...(merged.secondary_metrics ?? []), ...(merged.guardrails ?? [])])];
  return {
    ...merged,
    id: o.id ?? base?.id ?? 'exp_unit_test',
    control,
    treatments: variants.filter((v) => v !== control),
    metricNames,
    secondary_metrics: merged.secondary_metrics ?? [],
    guardrails: merged.guardrails ?? [],
  };
}

/**
 * Parse `unit_tests` at `at` in `src`. `model` is the model the file belongs to (a
 * properties file, or tests/models/unit/<model>.yml), if any.
 */
export function parseUnitTests(src: YamlSource, at: readonly PropertyKey[], list: unknown, model: string | undefined, dag: Dag, config: ProjectConfig): UnitTest[] {
  const fail = (path: readonly PropertyKey[], message: string, hint: string): never => {
    throw new XpError('MODEL_INVALID', message, { location: { file: src.file, line: src.lineOf(path), model }, hint });
  };
  if (list === undefined || list === null) return [];
  if (!Array.isArray(list)) fail(at, 'unit_tests must be a list of { name, given, expect }', 'see README.md#model-unit-tests');
  const out: UnitTest[] = [];
  (list as unknown[]).forEach((raw, i) => {
    const here = [...at, i];
    const parsed = unitTestSchema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const keyPath = issue.code === 'unrecognized_keys' ? [...issue.path, issue.keys[0]!] : issue.path;
      const what = issue.code === 'unrecognized_keys' ? `unknown key "${issue.keys[0]}"` : `${issue.path.join('.') || 'test'}: ${issue.message}`;
      fail([...here, ...keyPath], `unit test: ${what}`, 'a unit test is { name, model?, description?, experiment?, vars?, given: [{ input, rows | sql, types? }], expect: { rows | sql, ordered?, tolerance? } }');
    }
    const t = parsed.data!;
    const target = t.model ?? model;
    if (!target) fail([...here, 'name'], `unit test ${t.name}: which model? add model: <name>`, 'or name the file tests/models/unit/<model>.yml');
    if (model && t.model && t.model !== model && dag.nodes.has(model)) {
      fail([...here, 'model'], `unit test ${t.name} is declared beside model ${model} but names model ${t.model}`, 'move it to the properties file of that model, or to tests/models/unit/');
    }
    if (!dag.nodes.has(target!)) fail([...here, 'model'], `unit test ${t.name}: "${target}" is not a model`, 'run `xp ls` for the model names');
    const inputs = modelInputs(dag, target!);
    const seen = new Set<string>();
    const given: UnitInput[] = t.given.map((g, j) => {
      const key = inputKey(g.input);
      const line = src.lineOf([...here, 'given', j, 'input']);
      if (!key) fail([...here, 'given', j, 'input'], `unit test ${t.name}: input "${g.input}" is not ref('<model>') or source('<source>', '<table>')`, `inputs of ${target}: ${[...inputs].map(label).join(', ')}`);
      if (!inputs.has(key!)) fail([...here, 'given', j, 'input'], `unit test ${t.name}: ${g.input} is not an input of ${target}`, `inputs of ${target}: ${[...inputs].map(label).join(', ') || '(none)'}`);
      if (seen.has(key!)) fail([...here, 'given', j, 'input'], `unit test ${t.name}: ${g.input} is given twice`, 'give each input once');
      seen.add(key!);
      if (g.rows && g.rows.length === 0 && Object.keys(g.types).length === 0) {
        fail([...here, 'given', j, 'rows'], `unit test ${t.name}: ${g.input} has no rows, so its columns are unknown`, 'declare them: types: { user_id: varchar, ts: timestamp }');
      }
      return { key: key!, label: g.input.trim(), rows: g.rows, sql: g.sql, types: g.types, line };
    });
    const experiment = resolveExperiment(config, t.experiment, (msg, hint) => fail([...here, 'experiment'], `unit test ${t.name}: ${msg}`, hint));
    out.push({
      id: `${target}::${t.name}`,
      name: t.name,
      model: target!,
      description: t.description,
      experiment,
      vars: t.vars,
      given,
      expect: { ...t.expect, line: src.lineOf([...here, 'expect']) },
      location: { file: src.file, line: src.lineOf(here) },
    });
  });
  return out;
}

function label(key: string): string {
  if (key.startsWith('ref:')) return `ref('${key.slice(4)}')`;
  const [s, ...rest] = key.slice(7).split('.');
  return `source('${s}', '${rest.join('.')}')`;
}
