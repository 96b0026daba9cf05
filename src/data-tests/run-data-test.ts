/**
 * Run one data test (generic or singular) against the rows of one partition: count the
 * failing rows, keep a few to show, and turn the count into pass / fail / warn.
 */
import type { Db } from '../engine/connection.ts';
import { MODEL_SCHEMA } from '../engine/platform-store.ts';
import { partitionParams } from '../engine/materialize/partitioned.ts';
import type { Project } from '../workspace/project.ts';
import type { Experiment } from '../project/types.ts';
import { renderModels, templateContext } from '../template/render-models.ts';
import { PARTITION_PARAM, type RenderState } from '../template/sql-env.ts';
import { relation as rel } from '../engine/sql.ts';
import { describeFailures, genericSql } from './generic-sql.ts';
import { formatRows } from './format-rows.ts';
import type { DataTest, TestResult } from './types.ts';

export const SAMPLE_ROWS = 5;

export interface CheckTarget {
  readonly db: Db;
  /** the partition under test; undefined for project-level models */
  readonly experiment: Experiment | undefined;
  /** the rows under test: the stored partition, or a build's new rows */
  readonly relation: string;
}

/**
 * How a test's SQL reads a model: the model under test → its rows; a partitioned model →
 * the same partition; an ephemeral one → its SQL inlined; anything else → the stored table.
 */
export function relationResolver(project: Project, experiment: Experiment | undefined, current: { model: string; relation: string }): (name: string) => string {
  const { dag, env, config } = project;
  const resolve = (name: string): string => {
    if (name === current.model) return current.relation;
    const node = dag.nodes.get(name)!;
    if (node.materialized === 'ephemeral') {
      const sql = renderModels(env, dag, config, experiment, [name], new Map(), {
        refOverride: (n) => (n === current.model ? current.relation : undefined),
      }).get(name)!;
      return `(${sql})`;
    }
    if (node.materialized === 'partitioned' && experiment) {
      return `(select * from ${rel(MODEL_SCHEMA, name)} where experiment_id = $${PARTITION_PARAM})`;
    }
    return rel(MODEL_SCHEMA, name);
  };
  return resolve;
}

/** The failing-rows query of a test, fully rendered. */
export function compileDataTest(project: Project, test: DataTest, target: Omit<CheckTarget, 'db'>): string {
  const relationOf = relationResolver(project, target.experiment, { model: test.model, relation: target.relation });
  let sql: string;
  if (test.type === 'generic') {
    const rows = test.where ? `(select * from ${target.relation} where ${test.where})` : target.relation;
    sql = genericSql(test.args, rows, relationOf);
  } else {
    const state: RenderState = {
      partitioned: target.experiment !== undefined,
      vars: project.config.vars,
      ref: relationOf,
      source: () => {
        throw new Error('singular tests cannot read {{source}}');
      },
    };
    const body = project.env
      .render(test.rawSql, templateContext(project.config, target.experiment), state, test.location.file)
      .replace(/^\s*\/\*---[\s\S]*?---\*\/\s*/, '')
      .trim()
      .replace(/;\s*$/, '');
    sql = test.where ? `select * from (${body}) as failing where ${test.where}` : body;
  }
  return sql;
}

function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0]!;
}

export async function runDataTest(project: Project, test: DataTest, target: CheckTarget): Promise<TestResult> {
  const started = performance.now();
  const base = {
    id: test.id,
    type: test.type,
    model: test.model,
    experimentId: target.experiment?.id ?? null,
    location: `${test.location.file}:${test.location.line}`,
  } as const;
  const seconds = (): number => (performance.now() - started) / 1000;
  let sql: string;
  try {
    sql = compileDataTest(project, test, target);
  } catch (err) {
    return { ...base, status: 'error', failures: 0, seconds: seconds(), message: `cannot compile: ${firstLine(err)}` };
  }
  const params = target.experiment ? partitionParams(sql, target.experiment.id) : {};
  try {
    const [{ n }] = (await target.db.all<{ n: number }>(`select count(*) as n from (${sql}) as failing`, params)) as [{ n: number }];
    if (n === 0) return { ...base, status: 'pass', failures: 0, seconds: seconds() };
    const sample = await target.db.all(`select * from (${sql}) as failing limit ${SAMPLE_ROWS}`, params);
    const message = test.type === 'generic' ? describeFailures(test.args, n) : `${n} failing row${n === 1 ? '' : 's'}`;
    return {
      ...base,
      status: test.severity === 'warn' ? 'warn' : 'fail',
      failures: n,
      seconds: seconds(),
      message,
      detail: formatRows(sample) + (n > sample.length ? `\n… ${n - sample.length} more` : ''),
    };
  } catch (err) {
    return { ...base, status: 'error', failures: 0, seconds: seconds(), message: firstLine(err), detail: sql };
  }
}
