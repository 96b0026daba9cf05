/**
 * Everything the docs site shows, gathered once into plain data: models (with their
 * tests, columns and SQL), sources, analysis plugins, experiments, and the lineage graph
 * sources → models → analyses → memo. Pages only format this data. It depends only on
 * the project and the warehouse (no clock, no random ids), so the site is reproducible.
 */
import { targetDir, warehousePath } from '../core/paths.ts';
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

/** `asOf`: assess health as of this time instead of the warehouse's newest build. */
export async function collectDocs(project: Project, opts: { readonly asOf?: Date } = {}): Promise<DocsData> {
  const { config, dag } = project;
  const target = targetDir(project.config);
  const specs = loadTestSpecs(project);
  const wh = await readWarehouse(warehousePath(project.config), config.warehouse, config.experiments, opts.asOf);
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
    graph: lineage(models, sources, analyses),
    notes: wh.notes,
  };
}

