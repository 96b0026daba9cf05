/** Load everything a command needs to know about the project, validated, without I/O on the warehouse. */
import { buildDag, type Dag } from '../graph/dag.ts';
import { createSqlEnv, type SqlEnv } from '../template/sql-env.ts';
import { loadConfig } from './load-config.ts';
import { loadHelpers, loadModels, loadPartials } from './load-models.ts';
import type { ProjectConfig } from './types.ts';
import { loadPlugins, type LoadedPlugin } from '../analyse/load-plugins.ts';

export interface Project {
  readonly config: ProjectConfig;
  readonly dag: Dag;
  readonly env: SqlEnv;
  /** analyses/*.ts, ordered so each runs after the plugins it names */
  readonly plugins: readonly LoadedPlugin[];
}

export const DEFAULT_CONFIG = 'configs/dev.yaml';

export async function loadProject(configPath = DEFAULT_CONFIG, root = process.cwd()): Promise<Project> {
  const config = loadConfig(configPath, root);
  const dag = buildDag(loadModels(config));
  const env = createSqlEnv(loadPartials(config.root), await loadHelpers(config.root));
  return { config, dag, env, plugins: await loadPlugins(config.root) };
}
