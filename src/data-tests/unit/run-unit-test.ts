/**
 * Run one model unit test in a fresh in-memory DuckDB: load the `given` rows as tables,
 * render the model with its refs and sources pointing at them, run it, and diff its
 * output with the `expect` rows. No warehouse, no raw files.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { openDb, type Db, type Row } from '../../engine/connection.ts';
import { partitionParams } from '../../engine/materialize/partitioned.ts';
import type { Project } from '../../workspace/project.ts';
import { renderModels } from '../../template/render-models.ts';
import { quoteIdent, relation } from '../../engine/sql.ts';
import type { TestResult } from '../types.ts';
import { diffRows, formatDiff } from './diff.ts';
import { columnsOf, createFixture, rowsSelect } from './fixtures.ts';
import type { UnitTest } from './spec.ts';

const GIVEN_SCHEMA = 'given';

function fixtureRelation(key: string): string {
  return relation(GIVEN_SCHEMA, key.replace(':', '__').replaceAll('.', '__'));
}

function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0]!;
}

/** Comparable values: numbers as double, text as text, everything else by its text form. */
function comparable(expr: string, type: string): string {
  if (/^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|FLOAT|DOUBLE|DECIMAL)/.test(type)) return `cast(${expr} as double)`;
  if (type === 'BOOLEAN' || type === 'VARCHAR') return expr;
  return `cast(${expr} as varchar)`;
}

/** The model's SQL for the test: refs and sources → fixture tables, ephemeral parents inlined. */
export function renderForUnitTest(project: Project, test: UnitTest): { sql: string; missing: string[] } {
  const { dag, env, config } = project;
  const given = new Set(test.given.map((g) => g.key));
  const missing: string[] = [];
  const node = dag.nodes.get(test.model)!;
  const cfg = { ...config, vars: { ...config.vars, ...test.vars } };
  const experiment = node.materialized === 'partitioned' ? test.experiment : undefined;
  const sql = renderModels(env, dag, cfg, experiment, [test.model], new Map(), {
    refOverride: (name) => {
      if (given.has(`ref:${name}`)) return fixtureRelation(`ref:${name}`);
      if (dag.nodes.get(name)?.materialized === 'ephemeral') return undefined; // inline it
      missing.push(`ref('${name}')`);
      return quoteIdent(`__missing_${name}`);
    },
    sourceOverride: (source, table) => {
      const key = `source:${source}.${table}`;
      if (given.has(key)) return fixtureRelation(key);
      missing.push(`source('${source}', '${table}')`);
      return quoteIdent(`__missing_${source}_${table}`);
    },
  }).get(test.model)!;
  return { sql, missing: [...new Set(missing)] };
}

export interface UnitRunOptions {
  /** write the rendered SQL to <compiledDir>/unit/<model>/<name>.sql */
  readonly compiledDir?: string;
}

export async function runUnitTest(project: Project, test: UnitTest, opts: UnitRunOptions = {}): Promise<TestResult> {
  const started = performance.now();
  const base = { id: test.id, type: 'unit', model: test.model, experimentId: null, location: `${test.location.file}:${test.location.line}` } as const;
  const seconds = (): number => (performance.now() - started) / 1000;
  const error = (message: string, detail?: string): TestResult => ({ ...base, status: 'error', failures: 0, seconds: seconds(), message, detail });

  if (!test.experiment && project.dag.nodes.get(test.model)!.materialized === 'partitioned') {
    return error('no experiment to render the model for', 'configure one, or give it inline: experiment: { id: exp_test, start: 2026-01-05, days: 14, ... }');
  }
  let rendered: { sql: string; missing: string[] };
  try {
    rendered = renderForUnitTest(project, test);
  } catch (err) {
    return error(`cannot render ${test.model}: ${firstLine(err)}`);
  }
  if (rendered.missing.length) {
    return error(`no given rows for ${rendered.missing.join(', ')}`, `add to given:\n${rendered.missing.map((m) => `  - input: ${m}\n    rows: [ ... ]`).join('\n')}`);
  }
  if (opts.compiledDir) {
    const file = path.join(opts.compiledDir, 'unit', test.model, `${test.name}.sql`);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, `-- unit test ${test.id} (${base.location})\n${rendered.sql}\n`);
  }

  const db = await openDb(':memory:');
  try {
    return await compare(db, test, rendered.sql, base, seconds);
  } finally {
    db.close();
  }
}

async function compare(db: Db, test: UnitTest, sql: string, base: Pick<TestResult, 'id' | 'type' | 'model' | 'experimentId' | 'location'>, seconds: () => number): Promise<TestResult> {
  const error = (message: string, detail?: string): TestResult => ({ ...base, status: 'error', failures: 0, seconds: seconds(), message, detail });
  await db.run(`create schema ${GIVEN_SCHEMA}`);
  for (const g of test.given) {
    try {
      await createFixture(db, fixtureRelation(g.key), g);
    } catch (err) {
      return error(`given ${g.label} (line ${g.line}): ${firstLine(err)}`, 'check the values and types: of these rows');
    }
  }
  const params = test.experiment ? partitionParams(sql, test.experiment.id) : {};
  try {
    await db.run(`create temp table actual as ${sql}`, params);
  } catch (err) {
    return error(`the model failed on the given rows: ${firstLine(err)}`, 'the given rows must have every column the model reads (a column that is null in every row needs types:)');
  }
  const actualCols = new Map((await db.all<{ column_name: string; column_type: string }>('describe actual')).map((c) => [c.column_name, c.column_type]));

  let expectedCols: string[];
  try {
    if (test.expect.sql !== undefined) {
      await db.run(`create temp table expected as ${test.expect.sql}`);
      expectedCols = (await db.all<{ column_name: string }>('describe expected')).map((c) => c.column_name);
    } else {
      const rows = test.expect.rows ?? [];
      expectedCols = columnsOf(rows);
      const unknown = expectedCols.filter((c) => !actualCols.has(c));
      if (unknown.length) {
        return { ...base, status: 'fail', failures: rows.length, seconds: seconds(), message: `the output has no column ${unknown.join(', ')}`, detail: `output columns: ${[...actualCols.keys()].join(', ')}` };
      }
      // expected values take the output's types, so both sides compare alike
      await db.run(`create temp table expected as ${rowsSelect(rows, expectedCols, Object.fromEntries(expectedCols.map((c) => [c, actualCols.get(c)!])))}`);
    }
  } catch (err) {
    return error(`expect (line ${test.expect.line}): ${firstLine(err)}`, 'check the expected values against the output column types');
  }
  const unknown = expectedCols.filter((c) => !actualCols.has(c));
  if (unknown.length) {
    return { ...base, status: 'fail', failures: 0, seconds: seconds(), message: `the output has no column ${unknown.join(', ')}`, detail: `output columns: ${[...actualCols.keys()].join(', ')}` };
  }
  const project = (typed: (c: string) => string): string =>
    expectedCols.map((c) => `${comparable(typed(c), actualCols.get(c)!)} as ${quoteIdent(c)}`).join(', ') || '1 as __row';
  const actual = await db.all<Row>(`select ${project(quoteIdent)} from actual`);
  const expected = await db.all<Row>(`select ${project((c) => `cast(${quoteIdent(c)} as ${actualCols.get(c)!})`)} from expected`);
  const diff = diffRows(expected, actual, expectedCols, { ordered: test.expect.ordered, tolerance: test.expect.tolerance });
  const failures = diff.missing.length + diff.unexpected.length;
  if (failures === 0) return { ...base, status: 'pass', failures: 0, seconds: seconds() };
  return {
    ...base,
    status: 'fail',
    failures,
    seconds: seconds(),
    message: `${diff.missing.length} expected row${diff.missing.length === 1 ? '' : 's'} missing, ${diff.unexpected.length} unexpected`,
    detail: formatDiff(diff, expectedCols, { expected: expected.length, actual: actual.length }),
  };
}
