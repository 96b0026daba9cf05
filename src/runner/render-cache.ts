/**
 * Rendered SQL remembered across builds (the parse cache, src/core/parse-cache.ts): a
 * no-op build of 300 experiments renders every partitioned model 300 times only to find
 * the same SQL. Rendering is a pure function of the templates (models and macros), the
 * DAG's materialisations, the template context (experiment, metrics, vars), the input
 * files and the rendering code, so those are the key; a project with TypeScript macro
 * helpers (arbitrary code, which may read the clock or the environment) is always rendered.
 *
 * The code's stamp: running compiled (dist/), the compiled module's mtime (each build
 * rewrites it, and bin/xp.js runs dist/ only while it is newer than src/); running the
 * sources, the newest mtime under src/.
 */
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { sha256 } from '../core/hash.ts';
import { memo } from '../core/parse-cache.ts';
import type { Dag } from '../graph/dag.ts';
import { listFiles, loadPartials } from '../project/load-models.ts';
import type { Experiment, ProjectConfig } from '../project/types.ts';
import { renderModels, templateContext, type SourceFiles } from '../template/render-models.ts';
import type { SqlEnv } from '../template/sql-env.ts';

const here = fileURLToPath(import.meta.url);

function newestUnder(dir: string): number {
  let max = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, e.name);
    max = Math.max(max, e.isDirectory() ? newestUnder(full) : statSync(full).mtimeMs);
  }
  return max;
}

let stamp: string | undefined;
function codeStamp(): string {
  stamp ??= here.endsWith('.ts') ? `src:${newestUnder(path.resolve(path.dirname(here), '..'))}` : `dist:${statSync(here).mtimeMs}`;
  return stamp;
}

export interface RenderCache {
  render(experiment: Experiment, names: readonly string[], files: SourceFiles): Map<string, string>;
}

/** A renderer for one build's partitions; undefined parts of the key make it render every time. */
export function renderCache(env: SqlEnv, dag: Dag, config: ProjectConfig): RenderCache {
  const direct: RenderCache = { render: (experiment, names, files) => renderModels(env, dag, config, experiment, names, files) };
  if (listFiles(path.join(config.root, 'macros'), '.ts').length) return direct;
  const partials = loadPartials(config.root);
  const templates = sha256(
    codeStamp(),
    JSON.stringify(Object.entries(partials).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
    ...dag.order.map((name) => {
      const n = dag.nodes.get(name)!;
      return JSON.stringify([name, n.materialized, n.seed ? sha256(JSON.stringify(n.seed)) : n.rawSql]);
    }),
  );
  return {
    render(experiment, names, files) {
      let sql: Map<string, string> | undefined;
      // a partition's SQL inlines its macros and ephemeral models (~300 KB for the shipped
      // models): kept deflated, or the cache would outweigh the rendering it saves
      const packed = memo('render', [templates, JSON.stringify(templateContext(config, experiment)), JSON.stringify([...files]), JSON.stringify(names)], () => {
        sql = renderModels(env, dag, config, experiment, names, files);
        return deflateRawSync(JSON.stringify([...sql]), { level: 1 }).toString('base64');
      });
      return sql ?? new Map(JSON.parse(inflateRawSync(Buffer.from(packed, 'base64')).toString('utf8')) as [string, string][]);
    },
  };
}
