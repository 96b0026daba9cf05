/** target/manifest.json: the project's nodes, edges and compiled SQL paths (as dbt's manifest). */
import type { PlanStep } from '../plan/plan.ts';
import type { Project } from '../workspace/project.ts';

export interface ManifestNode {
  readonly name: string;
  readonly path: string;
  readonly materialized: string;
  readonly stage: string;
  readonly tags: readonly string[];
  readonly description: string | null;
  readonly columns: readonly { name: string; description: string | null }[];
  readonly depends_on: readonly string[];
  readonly sources: readonly string[];
  readonly compiled: Readonly<Record<string, { path: string; fingerprint: string }>>;
}

export interface Manifest {
  readonly metadata: { readonly project: string; readonly generated_at: string; readonly config: string };
  readonly nodes: Readonly<Record<string, ManifestNode>>;
  readonly parent_map: Readonly<Record<string, readonly string[]>>;
  readonly child_map: Readonly<Record<string, readonly string[]>>;
  readonly experiments: readonly string[];
}

export function buildManifest(project: Project, steps: readonly PlanStep[], compiledPathOf: (s: PlanStep) => string): Manifest {
  const { dag, config } = project;
  const nodes: Record<string, ManifestNode> = {};
  for (const name of dag.order) {
    const n = dag.nodes.get(name)!;
    const compiled: Record<string, { path: string; fingerprint: string }> = {};
    for (const s of steps.filter((s) => s.model === name && s.materialized !== 'ephemeral')) {
      compiled[s.experimentId ?? '_project'] = { path: compiledPathOf(s), fingerprint: s.fingerprint };
    }
    nodes[name] = {
      name,
      path: n.path,
      materialized: n.materialized,
      stage: n.stage,
      tags: n.tags,
      description: n.properties.description ?? null,
      columns: n.properties.columns.map((c) => ({ name: c.name, description: c.description ?? null })),
      depends_on: dag.parents.get(name) ?? [],
      sources: n.sources,
      compiled,
    };
  }
  return {
    metadata: { project: config.name, generated_at: new Date().toISOString(), config: config.file },
    nodes,
    parent_map: Object.fromEntries(dag.order.map((n) => [n, dag.parents.get(n) ?? []])),
    child_map: Object.fromEntries(dag.order.map((n) => [n, dag.children.get(n) ?? []])),
    experiments: config.experiments.map((e) => e.id),
  };
}
