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
import { readFileSync } from 'node:fs';
import path from 'node:path';

export type { Project } from '../workspace/project.ts';

export const DEFAULT_CONFIG = 'configs/dev.yaml';

/**
 * The parse cache is in the target folder, which the config names: to cache the config's
 * own YAML it is opened before the config is parsed, at the folder a top-level
 * `target_dir:` line names (else target/). Any cache file is exact to read (its keys are
 * content hashes), so a wrong guess only costs a parse; loadProject then opens the right one.
 */
export function parseCacheGuess(configPath: string, root: string): string {
  let text = '';
  try {
    text = readFileSync(path.resolve(root, configPath), 'utf8');
  } catch {
    // loadConfig reports the missing file
  }
  const dir = /^target_dir:[ \t]*(["']?)([^"'#\r\n]*?)\1[ \t]*(#.*)?$/m.exec(text)?.[2] || 'target';
  return path.join(path.resolve(root, dir), 'parse-cache.json');
}

export async function loadProject(configPath = DEFAULT_CONFIG, root = process.cwd()): Promise<Project> {
  // what parsing the project derives, remembered by content in target/ (src/core/parse-cache.ts);
  // written once a build has planned (prepare.ts), so a project that fails to load writes nothing
  const guessed = parseCacheGuess(configPath, root);
  openParseCache(guessed);
  const config = loadConfig(configPath, root);
  const cacheFile = path.join(targetDir(config), 'parse-cache.json');
  if (cacheFile !== guessed) openParseCache(cacheFile);
  const models = loadModels(config);
  const dag = buildDag([...loadSeeds(config, new Set(models.map((m) => m.name))), ...models]);
  const env = createSqlEnv(loadPartials(config.root), await loadHelpers(config.root));
  const plugins = await loadPlugins(config.root, { builtin: config.analyses.builtin });
  checkTableOwnership(plugins, dag.nodes);
  return { config, dag, env, plugins };
}
