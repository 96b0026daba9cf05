/**
 * Everything the docs site shows, gathered once into plain data: models (with their
 * tests, columns and SQL), sources, analysis plugins, experiments, and the lineage graph
 * sources → models → analyses → memo. Pages only format this data. It depends only on
 * the project and the warehouse (no clock, no random ids), so the site is reproducible.
 */
import { targetDir } from '../core/paths.ts';
import { memoInputs } from '../report/read-inputs.ts';
import type { Project } from '../workspace/project.ts';
import { loadTestSpecs } from '../data-tests/spec/load-tests.ts';
import { experimentDocs } from './collect-experiments.ts';
import { modelDocs } from './collect-models.ts';
import { analysisId, MEMO_ID, modelId, sourceId, type AnalysisDoc, type DocsData, type GraphNode, type ModelDoc, type SourceDoc } from './types.ts';
import { readWarehouse } from './warehouse.ts';

export * from './types.ts';

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

/** Metric names that appear as a SQL string literal ('conversion') in a model's compiled SQL. */
function metricsOfModel(m: ModelDoc, metrics: readonly string[]): string[] {
  const sql = m.compiled.sql ?? '';
  return metrics.filter((name) => sql.includes(`'${name.replaceAll("'", "''")}'`));
}

/** The metrics of each analysis: those of the models and the other plugins' tables it reads. */
function metricsOfAnalyses(analyses: readonly AnalysisDoc[], byModel: ReadonlyMap<string, readonly string[]>): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const writer = new Map(analyses.flatMap((a) => Object.keys(a.writes).map((t) => [t, a.name] as const)));
  const visit = (a: AnalysisDoc, seen: Set<string>): string[] => {
    if (out.has(a.name)) return out.get(a.name)!;
    if (seen.has(a.name)) return [];
    seen.add(a.name);
    const found = new Set<string>();
    for (const r of [...a.reads, ...a.after]) {
      for (const x of byModel.get(r) ?? []) found.add(x);
      const w = analyses.find((b) => b.name === (writer.get(r) ?? r) && b.name !== a.name);
      if (w) for (const x of visit(w, seen)) found.add(x);
    }
    const list = [...found].sort();
    out.set(a.name, list);
    return list;
  };
  for (const a of analyses) visit(a, new Set());
  return out;
}

function lineage(models: readonly ModelDoc[], sources: readonly SourceDoc[], analyses: readonly AnalysisDoc[], metricNames: readonly string[]): DocsData['graph'] {
  const byModel = new Map(models.map((m) => [m.name, metricsOfModel(m, metricNames)] as const));
  const byAnalysis = metricsOfAnalyses(analyses, byModel);
  const withMetrics = (list: readonly string[] | undefined) => (list?.length ? { metrics: list } : {});
  const nodes: GraphNode[] = [
    ...sources.map((s) => ({ id: sourceId(s.name), kind: 'source' as const, label: s.name, detail: 'source', href: `sources.html#${encodeURIComponent(s.name)}` })),
    ...models.map((m) => ({ id: modelId(m.name), kind: 'model' as const, label: m.name, detail: `${m.materialized} · ${m.path.split('/').slice(1, -1).join('/') || 'models'}`, href: `models/${m.name}.html`, ...withMetrics(byModel.get(m.name)) })),
    ...analyses.map((a) => ({ id: analysisId(a.name), kind: 'analysis' as const, label: a.name, detail: `analysis · ${a.path}`, href: `analyses.html#${encodeURIComponent(a.name)}`, ...withMetrics(byAnalysis.get(a.name)) })),
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
  // the memo's edges are what it reads (report/read-inputs.ts): its models and the plugins
  // writing its tables, so a failure upstream of an edge is what skips the memo. A project
  // whose own models and plugins are none of those keeps the old picture: every analysis,
  // or without analyses the models nothing else reads.
  const present = new Set(nodes.map((n) => n.id));
  const inputs = memoInputs(analyses).map((n) => (n.startsWith('analysis:') ? n : modelId(n))).filter((id) => present.has(id));
  const feeders = inputs.length ? inputs
    : analyses.length ? analyses.map((a) => analysisId(a.name)) : models.filter((m) => !m.downstream.length).map((m) => modelId(m.name));
  if (feeders.length) {
    nodes.push({ id: MEMO_ID, kind: 'memo', label: 'decision memo', detail: 'target/memos/<experiment>.md', href: 'experiments.html' });
    for (const f of feeders) edges.push({ from: f, to: MEMO_ID });
  }
  return { nodes, edges };
}

/** `asOf`: assess health as of this time instead of the warehouse's newest build. */
export async function collectDocs(project: Project, opts: { readonly asOf?: Date } = {}): Promise<DocsData> {
  const { config, dag } = project;
  const target = targetDir(project.config);
  const specs = loadTestSpecs(project);
  const wh = await readWarehouse(project.config, config.warehouse, config.experiments, opts.asOf);
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
    asOf: wh.asOf,
    models,
    sources,
    analyses,
    experiments: experimentDocs(project, wh, target),
    graph: lineage(models, sources, analyses, Object.keys(config.metrics).sort()),
    notes: wh.notes,
  };
}

