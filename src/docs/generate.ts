/**
 * `xp docs generate`: collect → lay out → write a static site to target/docs/ that works
 * from file:// (no server, no network: data is embedded, assets are local files).
 */
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { targetDir } from '../core/paths.ts';
import type { Project } from '../workspace/project.ts';
import { collectDocs, type DocsData } from './collect.ts';
import { layoutGraph, nodeWidth, NODE_HEIGHT } from './layout.ts';
import { experimentPage, experimentsPage } from './pages/experiments.ts';
import { lineagePage } from './pages/lineage.ts';
import { analysesPage, modelsPage, sourcesPage } from './pages/lists.ts';
import { modelPage } from './pages/model.ts';

// the sources' folder, also when this runs compiled from dist/ (tsc copies no assets)
const ASSETS_DIR = fileURLToPath(new URL('../../src/docs/assets/', import.meta.url));
export const ASSETS = ['docs.css', 'lineage.js'] as const;

export interface DocsResult {
  readonly dir: string;
  readonly index: string;
  readonly pages: number;
  readonly data: DocsData;
}

export function docsDir(project: Project): string {
  return path.join(targetDir(project.config), 'docs');
}

/** Byte-reproducible: the same project and warehouse give the same files (no clock, no random ids). */
export async function generateDocs(project: Project, opts: { readonly asOf?: Date } = {}): Promise<DocsResult> {
  const data = await collectDocs(project, opts);
  const placed = await layoutGraph(
    data.graph.nodes.map((n) => ({
      id: n.id,
      width: nodeWidth(n.label),
      height: NODE_HEIGHT,
      rank: n.kind === 'source' ? ('first' as const) : n.kind === 'memo' ? ('last' as const) : undefined,
    })),
    data.graph.edges,
  );
  const dir = docsDir(project);
  rmSync(dir, { recursive: true, force: true }); // no pages of deleted models left behind
  const pages = new Map<string, string>([
    ['index.html', lineagePage(data, placed)],
    ['models.html', modelsPage(data)],
    ['sources.html', sourcesPage(data)],
    ['analyses.html', analysesPage(data)],
    ['experiments.html', experimentsPage(data)],
    ...data.models.map((m) => [`models/${m.name}.html`, modelPage(m, data)] as const),
    ...data.experiments.map((e) => [`experiments/${e.id}.html`, experimentPage(e, data)] as const),
  ]);
  for (const [rel, text] of pages) {
    const file = path.join(dir, rel);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, text);
  }
  mkdirSync(path.join(dir, 'assets'), { recursive: true });
  for (const a of ASSETS) copyFileSync(path.join(ASSETS_DIR, a), path.join(dir, 'assets', a));
  writeFileSync(path.join(dir, 'docs.json'), JSON.stringify(data, null, 2) + '\n');
  return { dir, index: path.join(dir, 'index.html'), pages: pages.size, data };
}
