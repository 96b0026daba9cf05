import type { Project } from '../../runner/load-project.ts';
import { selectModels } from '../../graph/selectors.ts';

export interface LsRow {
  readonly name: string;
  readonly materialized: string;
  readonly stage: string;
  readonly tags: string;
  readonly path: string;
  readonly depends_on: string;
}

export function lsCommand(project: Project, models?: string, exclude?: string): LsRow[] {
  return selectModels(project.dag, models, exclude).map((name) => {
    const n = project.dag.nodes.get(name)!;
    return {
      name,
      materialized: n.materialized,
      stage: n.stage,
      tags: n.tags.join(','),
      path: n.path,
      depends_on: [...n.refs, ...n.sources.map((s) => `source:${s}`)].join(','),
    };
  });
}
