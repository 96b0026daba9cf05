/**
 * The one door to Vega and Vega-Lite: compile a Vega-Lite spec and render it to an SVG
 * string in Node, at build time (renderer 'none' + toSVG: no canvas, no DOM, no network).
 *
 * Vega numbers clip paths and gradients with a process-wide counter, so the same chart
 * drawn twice gets different ids and two charts in one page could collide: ids are
 * renamed to `<prefix>-<n>` in order of appearance, which makes the output a function of
 * the spec alone.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as VegaLite from 'vega-lite';

export type VegaLiteSpec = VegaLite.TopLevelSpec;

/** A package's version from its package.json, found from its entry point without importing it. */
function installedVersion(name: string): string {
  for (let dir = path.dirname(fileURLToPath(import.meta.resolve(name))); dir !== path.dirname(dir); dir = path.dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === name && pkg.version) return pkg.version;
    } catch {
      // not this folder: go up
    }
  }
  return 'unknown';
}

/**
 * Part of the memo's fingerprint: another renderer may draw other bytes. Read from the
 * installed packages, so a build whose memo is fresh never loads Vega (a few hundred ms).
 */
export const RENDERER = `vega ${installedVersion('vega')}, vega-lite ${installedVersion('vega-lite')}`;

let modules: Promise<[typeof import('vega'), typeof import('vega-lite')]> | undefined;

/** Vega and Vega-Lite, imported once (a few hundred ms): on first use, or earlier by `preloadRenderer`. */
function renderer(): Promise<[typeof import('vega'), typeof import('vega-lite')]> {
  modules ??= Promise.all([import('vega'), import('vega-lite')]);
  return modules;
}

/**
 * Start importing the renderer without waiting for it, so the import's work fills the
 * time the memo stage waits for DuckDB. A failed import is reported by `renderSvg`, which
 * awaits the same promise.
 */
export function preloadRenderer(): void {
  renderer().catch(() => undefined);
}

export async function renderSvg(spec: VegaLiteSpec, idPrefix: string): Promise<string> {
  const [vega, vegaLite] = await renderer();
  const compiled = vegaLite.compile(spec).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none', logLevel: vega.Error });
  try {
    return renameIds(await view.toSVG(), idPrefix);
  } finally {
    view.finalize();
  }
}

function renameIds(svg: string, prefix: string): string {
  const ids = new Map<string, string>();
  for (const m of svg.matchAll(/\sid="([^"]+)"/g)) {
    if (!ids.has(m[1]!)) ids.set(m[1]!, `${prefix}-${ids.size + 1}`);
  }
  if (!ids.size) return svg;
  const rename = (id: string): string => ids.get(id) ?? id;
  return svg
    .replace(/(\sid=")([^"]+)(")/g, (_, a: string, id: string, b: string) => `${a}${rename(id)}${b}`)
    .replace(/url\(#([^)]+)\)/g, (_, id: string) => `url(#${rename(id)})`)
    .replace(/(href=")#([^"]+)(")/g, (_, a: string, id: string, b: string) => `${a}#${rename(id)}${b}`);
}
