/**
 * Everything the docs site shows, gathered once into plain data: models (with their
 * tests, columns and SQL), sources, analysis plugins, experiments, and the lineage graph
 * sources → models → analyses → memo. Pages only format this data.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { targetDir, warehousePath } from '../build/run-build.ts';
import type { Row } from '../engine/connection.ts';
import type { Project } from '../project/load-project.ts';
import type { ModelNode } from '../project/types.ts';
import { renderModels } from '../template/render-models.ts';
import { loadTestSpecs } from '../testing/spec/load-tests.ts';
import type { DataTest, TestStatus } from '../testing/types.ts';
import { experimentDocs, type ExperimentDoc } from './collect-experiments.ts';
import { readWarehouse, type PartitionInfo, type WarehouseInfo } from './warehouse.ts';

export interface TestDoc {
  readonly id: string;
  /** not_null, accepted_values: control, treatment, … or singular */
  readonly summary: string;
  readonly severity: 'error' | 'warn';
  readonly location: string;
  /** worst status in the last `xp test` run, if it ran this test */
  readonly lastStatus?: TestStatus;
}

export interface ColumnDoc {
  readonly name: string;
  readonly type?: string;
  readonly description?: string;
  readonly tests: readonly TestDoc[];
  /** declared in the properties file but absent from the built table */
  readonly missing: boolean;
}

export interface ModelDoc {
  readonly name: string;
  readonly path: string;
  readonly propertiesPath?: string;
  readonly materialized: string;
  readonly stage: string;
  readonly tags: readonly string[];
  readonly description?: string;
  readonly columns: readonly ColumnDoc[];
  readonly tests: readonly TestDoc[];
  readonly unitTests: readonly { readonly name: string; readonly description?: string; readonly location: string }[];
  readonly rawSql: string;
  readonly compiled: { readonly label: string; readonly sql?: string; readonly error?: string };
  /** graph node ids */
  readonly upstream: readonly string[];
  readonly downstream: readonly string[];
  readonly partitions: readonly PartitionInfo[];
}

export interface SourceDoc {
  /** raw.events */
  readonly name: string;
  readonly location: string;
  readonly usedBy: readonly string[];
}

export interface AnalysisDoc {
  readonly name: string;
  readonly path: string;
  readonly description: string;
  readonly reads: readonly string[];
  readonly writes: Readonly<Record<string, Readonly<Record<string, string>>>>;
  readonly after: readonly string[];
  readonly optional: boolean;
}

export type NodeKind = 'source' | 'model' | 'analysis' | 'memo';

export interface GraphNode {
  /** source:raw.events, model:<name>, analysis:<name>, memo */
  readonly id: string;
  readonly kind: NodeKind;
  readonly label: string;
  /** materialisation, folder or file: a second line of context */
  readonly detail: string;
  /** the node's page, relative to the site root */
  readonly href: string;
}

export interface DocsData {
  readonly project: string;
  readonly generatedAt: string;
  readonly models: readonly ModelDoc[];
  readonly sources: readonly SourceDoc[];
  readonly analyses: readonly AnalysisDoc[];
  readonly experiments: readonly ExperimentDoc[];
  readonly graph: { readonly nodes: readonly GraphNode[]; readonly edges: readonly { readonly from: string; readonly to: string }[] };
  readonly notes: readonly string[];
}

export const modelId = (name: string): string => `model:${name}`;
export const sourceId = (name: string): string => `source:${name}`;
export const analysisId = (name: string): string => `analysis:${name}`;
export const MEMO_ID = 'memo';

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

function modelDocs(project: Project, tests: readonly DataTest[], unit: ReturnType<typeof loadTestSpecs>['unit'], wh: WarehouseInfo, target: string, plugins: readonly AnalysisDoc[]): ModelDoc[] {
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

function analysisDocs(project: Project): AnalysisDoc[] {
  return project.plugins.map(({ plugin, path: file }) => ({
    name: plugin.name,
    path: file,
    description: plugin.description,
    reads: plugin.reads,
    writes: Object.fromEntries(Object.entries(plugin.writes).map(([t, cols]) => [t, { ...cols }])),
    after: plugin.after ?? [],
    optional: !!plugin.optional,
  }));
}

function lineage(models: readonly ModelDoc[], sources: readonly SourceDoc[], analyses: readonly AnalysisDoc[]): DocsData['graph'] {
  const nodes: GraphNode[] = [
    ...sources.map((s) => ({ id: sourceId(s.name), kind: 'source' as const, label: s.name, detail: 'source', href: `sources.html#${encodeURIComponent(s.name)}` })),
    ...models.map((m) => ({ id: modelId(m.name), kind: 'model' as const, label: m.name, detail: `${m.materialized} · ${m.path.split('/').slice(1, -1).join('/') || 'models'}`, href: `models/${m.name}.html` })),
    ...analyses.map((a) => ({ id: analysisId(a.name), kind: 'analysis' as const, label: a.name, detail: `analysis · ${a.path}`, href: `analyses.html#${encodeURIComponent(a.name)}` })),
  ];
  const edges: { from: string; to: string }[] = [];
  for (const m of models) for (const u of m.upstream) edges.push({ from: u, to: modelId(m.name) });
  const writer = new Map(analyses.flatMap((a) => Object.keys(a.writes).map((t) => [t, a.name] as const)));
  const modelNames = new Set(models.map((m) => m.name));
  for (const a of analyses) {
    const from = new Set<string>();
    for (const r of a.reads) {
      if (modelNames.has(r)) from.add(modelId(r));
      else if (writer.has(r) && writer.get(r) !== a.name) from.add(analysisId(writer.get(r)!));
    }
    for (const p of a.after) from.add(analysisId(p));
    for (const f of from) edges.push({ from: f, to: analysisId(a.name) });
  }
  // the memo reads every analysis' results; without analyses, the models nothing else reads
  const feeders = analyses.length ? analyses.map((a) => analysisId(a.name)) : models.filter((m) => !m.downstream.length).map((m) => modelId(m.name));
  if (feeders.length) {
    nodes.push({ id: MEMO_ID, kind: 'memo', label: 'decision memo', detail: 'target/memos/<experiment>.md', href: 'experiments.html' });
    for (const f of feeders) edges.push({ from: f, to: MEMO_ID });
  }
  return { nodes, edges };
}

export async function collectDocs(project: Project, opts: { readonly now?: Date } = {}): Promise<DocsData> {
  const { config, dag } = project;
  const target = targetDir(project);
  const specs = loadTestSpecs(project);
  const wh = await readWarehouse(warehousePath(project), config.warehouse);
  const analyses = analysisDocs(project);
  const models = modelDocs(project, specs.data, specs.unit, wh, target, analyses);
  const sourceNames = [...new Set(dag.order.flatMap((n) => dag.nodes.get(n)!.sources))].sort();
  const sources: SourceDoc[] = sourceNames.map((name) => {
    const [src, ...rest] = name.split('.');
    const table = rest.join('.');
    return {
      name,
      location: src === 'raw' ? `${config.storage.raw.replace(/\/+$/, '')}/<experiment_id>/${table}/*.parquet` : `source ${src}`,
      usedBy: dag.order.filter((n) => dag.nodes.get(n)!.sources.includes(name)),
    };
  });
  return {
    project: config.name,
    generatedAt: (opts.now ?? new Date()).toISOString(),
    models,
    sources,
    analyses,
    experiments: experimentDocs(project, wh, target),
    graph: lineage(models, sources, analyses),
    notes: wh.notes,
  };
}

export type { Row };
