/**
 * Lay out the lineage graph once, at generate time, with ELK's layered (Sugiyama)
 * algorithm: layers left to right, crossings minimised, orthogonal edge routes. The page
 * then only draws SVG, so it is fast at hundreds of nodes and needs no worker or network.
 * The one door to elkjs.
 */
import elkjs from 'elkjs/lib/elk.bundled.js';
import type { ElkNode } from 'elkjs/lib/elk-api.js';

// a CommonJS module whose export is the constructor, also exported as .default
const ELK = elkjs.default;

export interface LayoutNode {
  readonly id: string;
  readonly width: number;
  readonly height: number;
  /** nodes of the same rank are kept in one layer (sources first, memo last) */
  readonly rank?: 'first' | 'last';
}

export interface LayoutEdge {
  readonly from: string;
  readonly to: string;
}

export interface Point {
  readonly x: number;
  readonly y: number;
}

export interface Placed {
  readonly nodes: ReadonlyMap<string, Point & { readonly width: number; readonly height: number }>;
  /** one polyline per edge, in input order */
  readonly edges: readonly (readonly Point[])[];
  readonly width: number;
  readonly height: number;
}

export const NODE_HEIGHT = 30;

/** Node width from its label: about 7.2 px per character at 12 px, plus padding. */
export function nodeWidth(label: string): number {
  return Math.max(80, Math.round(label.length * 7.2 + 28));
}

export async function layoutGraph(nodes: readonly LayoutNode[], edges: readonly LayoutEdge[]): Promise<Placed> {
  const elk = new ELK();
  const input: ElkNode = {
    id: 'root',
    layoutOptions: {
      'elk.algorithm': 'layered',
      'elk.direction': 'RIGHT',
      'elk.edgeRouting': 'ORTHOGONAL',
      'elk.layered.spacing.nodeNodeBetweenLayers': '70',
      'elk.spacing.nodeNode': '14',
      'elk.layered.spacing.edgeNodeBetweenLayers': '20',
      'elk.layered.nodePlacement.strategy': 'BRANDES_KOEPF',
      // a node sits one layer right of its furthest parent: staging, core, metrics and
      // checks line up in columns, as the folders read
      'elk.layered.layering.strategy': 'LONGEST_PATH_SOURCE',
      'elk.layered.crossingMinimization.strategy': 'LAYER_SWEEP',
      'elk.separateConnectedComponents': 'false',
      'elk.padding': '[top=20,left=20,bottom=20,right=20]',
    },
    children: nodes.map((n) => ({
      id: n.id,
      width: n.width,
      height: n.height,
      layoutOptions: n.rank ? { 'elk.layered.layering.layerConstraint': n.rank === 'first' ? 'FIRST' : 'LAST' } : undefined,
    })),
    edges: edges.map((e, i) => ({ id: `e${i}`, sources: [e.from], targets: [e.to] })),
  };
  const graph = await elk.layout(input);
  const placed = new Map<string, Point & { width: number; height: number }>();
  for (const c of graph.children ?? []) placed.set(c.id, { x: c.x ?? 0, y: c.y ?? 0, width: c.width ?? 0, height: c.height ?? 0 });
  const routes = new Map<string, Point[]>();
  for (const e of graph.edges ?? []) {
    const s = e.sections?.[0];
    if (s) routes.set(e.id, [s.startPoint, ...(s.bendPoints ?? []), s.endPoint]);
  }
  return {
    nodes: placed,
    edges: edges.map((e, i) => {
      const route = routes.get(`e${i}`);
      if (route) return route;
      // ELK routes every edge; keep a straight line as a fallback
      const a = placed.get(e.from)!;
      const b = placed.get(e.to)!;
      return [{ x: a.x + a.width, y: a.y + a.height / 2 }, { x: b.x, y: b.y + b.height / 2 }];
    }),
    width: graph.width ?? 0,
    height: graph.height ?? 0,
  };
}
