/**
 * Each model as the docs show it: properties, columns (declared and built, with types),
 * data and unit tests with their last status, compiled SQL, neighbours, partitions.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Project } from '../workspace/project.ts';
import type { ModelNode } from '../project/types.ts';
import { renderModels } from '../template/render-models.ts';
import type { UnitTest } from '../data-tests/unit/spec.ts';
import type { DataTest, TestStatus } from '../data-tests/types.ts';
import { analysisId, modelId, sourceId, type AnalysisDoc, type ColumnDoc, type ModelDoc, type TestDoc } from './types.ts';
import type { WarehouseInfo } from './warehouse.ts';

function testSummary(t: DataTest): string {
  if (t.type === 'singular') return t.description ? `singular: ${t.description}` : 'singular (SQL)';
  const a = t.args;
  switch (a.kind) {
    case 'accepted_values':
      return `accepted_values: ${a.values.join(', ')}`;
    case 'relationships':
      return `relationships → ${a.to}.${a.field}`;
    case 'accepted_range':
      return `accepted_range ${a.min === undefined ? '(-∞' : `${a.inclusive ? '[' : '('}${a.min}`}, ${a.max === undefined ? '∞)' : `${a.max}${a.inclusive ? ']' : ')'}`}`;
    case 'row_count':
      return `row_count [${a.min ?? 0}, ${a.max ?? '∞'}]`;
    case 'unique':
      return a.columns.length > 1 || !t.column ? `unique (${a.columns.join(', ')})` : 'unique';
    case 'expression_is_true':
      return `expression_is_true: ${a.expression}`;
    default:
      return a.kind;
  }
}

/** test id → worst status in target/run_results.json, when the last run was `xp test` */
function lastTestStatuses(target: string): Map<string, TestStatus> {
  const out = new Map<string, TestStatus>();
  const file = path.join(target, 'run_results.json');
  if (!existsSync(file)) return out;
  const rank: Record<TestStatus, number> = { skipped: 0, pass: 1, warn: 2, fail: 3, error: 4 };
  try {
    const run = JSON.parse(readFileSync(file, 'utf8')) as { kind?: string; results?: { id: string; status: TestStatus }[] };
    if (run.kind !== 'test') return out;
    for (const r of run.results ?? []) {
      const had = out.get(r.id);
      if (!had || rank[r.status] > rank[had]) out.set(r.id, r.status);
    }
  } catch {
    // an unreadable results file only loses the badges
  }
  return out;
}

function compiledSql(project: Project, node: ModelNode, target: string): ModelDoc['compiled'] {
  const { config, dag, env } = project;
  const partitioned = node.materialized === 'partitioned';
  const folders = partitioned ? config.experiments.map((e) => e.id) : ['_project'];
  for (const folder of folders) {
    const file = path.join(target, 'compiled', folder, `${node.name}.sql`);
    if (existsSync(file)) {
      const text = readFileSync(file, 'utf8').replace(/^-- .*\n/, '');
      return { label: partitioned ? `as last built for ${folder}` : 'as last built', sql: text.trimEnd() };
    }
  }
  const experiment = node.materialized === 'view' || node.materialized === 'table' ? undefined : config.experiments[0];
  const raw = config.storage.raw.replace(/^file:\/\//, '');
  try {
    const sql = renderModels(env, dag, config, experiment, [node.name], new Map(), {
      sourceFallback: (_s, table) => `read_parquet('${raw.replaceAll("'", "''")}/${experiment?.id ?? '<experiment_id>'}/${table}/*.parquet', union_by_name = true)`,
    }).get(node.name)!;
    return { label: experiment ? `rendered for ${experiment.id} (not built yet)` : 'rendered (not built yet)', sql };
  } catch (err) {
    return { label: 'cannot render', error: err instanceof Error ? err.message : String(err) };
  }
}

export function modelDocs(project: Project, tests: readonly DataTest[], unit: readonly UnitTest[], wh: WarehouseInfo, target: string, plugins: readonly AnalysisDoc[]): ModelDoc[] {
  const { dag } = project;
  const statuses = lastTestStatuses(target);
  const doc = (t: DataTest): TestDoc => ({
    id: t.id,
    summary: testSummary(t),
    severity: t.severity,
    location: `${t.location.file}:${t.location.line}`,
    lastStatus: statuses.get(t.id),
  });
  return dag.order.map((name) => {
    const node = dag.nodes.get(name)!;
    const mine = tests.filter((t) => t.model === name || (t.type === 'singular' && t.refs.includes(name)));
    const built = wh.columns.get(name);
    const declared = node.properties.columns;
    const names = [...new Set([...(built ?? []).map((c) => c.name), ...declared.map((c) => c.name)])];
    const columns: ColumnDoc[] = names.map((col) => ({
      name: col,
      type: built?.find((c) => c.name === col)?.type,
      description: declared.find((c) => c.name === col)?.description,
      tests: mine.filter((t) => t.type === 'generic' && t.column === col).map(doc),
      missing: built !== undefined && !built.some((c) => c.name === col),
    }));
    const readers = plugins.filter((p) => p.reads.includes(name)).map((p) => analysisId(p.name));
    return {
      name,
      path: node.path,
      propertiesPath: node.propertiesPath,
      materialized: node.materialized,
      stage: node.stage,
      tags: node.tags,
      description: node.properties.description,
      columns,
      tests: mine.filter((t) => t.type === 'singular' || !t.column).map(doc),
      unitTests: unit.filter((u) => u.model === name).map((u) => ({ name: u.name, description: u.description, location: `${u.location.file}:${u.location.line}` })),
      rawSql: node.rawSql,
      compiled: compiledSql(project, node, target),
      upstream: [...node.sources.map(sourceId), ...(dag.parents.get(name) ?? []).map(modelId)],
      downstream: [...(dag.children.get(name) ?? []).map(modelId), ...readers],
      partitions: wh.partitions.filter((p) => p.model === name),
    };
  });
}
