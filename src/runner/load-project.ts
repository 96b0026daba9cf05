/** Load everything a command needs to know about the project, validated, without I/O on the warehouse. */
import { buildDag } from '../graph/dag.ts';
import { createSqlEnv } from '../template/sql-env.ts';
import { loadConfig } from '../project/load-config.ts';
import { loadHelpers, loadModels, loadPartials } from '../project/load-models.ts';
import { loadSeeds } from '../project/load-seeds.ts';
import { loadPlugins } from '../analyse/load-plugins.ts';
import { checkTableOwnership } from '../analyse/ownership.ts';
import type { Project } from '../workspace/project.ts';
import { openParseCache } from '../core/parse-cache.ts';
import { targetDir } from '../core/paths.ts';
import path from 'node:path';

export type { Project } from '../workspace/project.ts';

export const DEFAULT_CONFIG = 'configs/dev.yaml';

export async function loadProject(configPath = DEFAULT_CONFIG, root = process.cwd()): Promise<Project> {
  const config = loadConfig(configPath, root);
  // what parsing the models derives, remembered by content in target/ (src/core/parse-cache.ts);
  // written once a build or compile has planned (prepare.ts), so a project that fails to load writes nothing
  openParseCache(path.join(targetDir(config), 'parse-cache.json'));
  const models = loadModels(config);
  const dag = buildDag([...loadSeeds(config, new Set(models.map((m) => m.name))), ...models]);
  const env = createSqlEnv(loadPartials(config.root), await loadHelpers(config.root));
  const plugins = await loadPlugins(config.root, { builtin: config.analyses.builtin });
  checkTableOwnership(plugins, dag.nodes);
  return { config, dag, env, plugins };
}
