/**
 * The one door to Vega and Vega-Lite: compile a Vega-Lite spec and render it to an SVG
 * string in Node, at build time (renderer 'none' + toSVG: no canvas, no DOM, no network).
 *
 * Vega numbers clip paths and gradients with a process-wide counter, so the same chart
 * drawn twice gets different ids and two charts in one page could collide: ids are
 * renamed to `<prefix>-<n>` in order of appearance, which makes the output a function of
 * the spec alone.
 */
import * as vega from 'vega';
import * as vegaLite from 'vega-lite';

export type VegaLiteSpec = vegaLite.TopLevelSpec;

/** Part of the memo's fingerprint: another renderer may draw other bytes. */
export const RENDERER = `vega ${vega.version}, vega-lite ${vegaLite.version}`;

export async function renderSvg(spec: VegaLiteSpec, idPrefix: string): Promise<string> {
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
