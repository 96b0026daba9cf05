/**
 * The loaded project: validated config, model graph, SQL environment and analysis plugins.
 * The one value every command receives; src/runner/load-project.ts builds it.
 */
import type { Dag } from '../graph/dag.ts';
import type { SqlEnv } from '../template/sql-env.ts';
import type { ProjectConfig } from '../project/types.ts';
import type { LoadedPlugin } from '../analyse/load-plugins.ts';

export interface Project {
  readonly config: ProjectConfig;
  readonly dag: Dag;
  readonly env: SqlEnv;
  /** the built-in pack and analyses/*.ts (a project plugin replaces a built-in of its name), ordered so each runs after the plugins it names */
  readonly plugins: readonly LoadedPlugin[];
}
