/** ELK layout of the lineage graph: readable (no overlaps, left to right) at 200+ nodes, deterministic. */
import { describe, expect, it } from 'vitest';
import { layoutGraph, nodeWidth, NODE_HEIGHT, type LayoutEdge, type LayoutNode } from '../../src/docs/layout.ts';

function graph(n: number): { nodes: LayoutNode[]; edges: LayoutEdge[] } {
  const nodes: LayoutNode[] = [{ id: 'src', width: 100, height: NODE_HEIGHT, rank: 'first' }];
  const edges: LayoutEdge[] = [];
  for (let i = 0; i < n; i++) {
    nodes.push({ id: `m${i}`, width: nodeWidth(`model_${i}`), height: NODE_HEIGHT });
    edges.push({ from: i < 10 ? 'src' : `m${Math.floor(i / 4)}`, to: `m${i}` });
  }
  nodes.push({ id: 'memo', width: 100, height: NODE_HEIGHT, rank: 'last' });
  for (let i = n - 5; i < n; i++) edges.push({ from: `m${i}`, to: 'memo' });
  return { nodes, edges };
}

describe('lineage layout', () => {
  it('places 250 nodes without overlaps, every edge left to right, sources first and the memo last', async () => {
    const { nodes, edges } = graph(250);
    const placed = await layoutGraph(nodes, edges);
    const boxes = [...placed.nodes.entries()];
    expect(boxes).toHaveLength(252);
    for (let i = 0; i < boxes.length; i++) {
      for (let j = i + 1; j < boxes.length; j++) {
        const [, a] = boxes[i]!;
        const [, b] = boxes[j]!;
        const apart = a.x + a.width <= b.x || b.x + b.width <= a.x || a.y + a.height <= b.y || b.y + b.height <= a.y;
        if (!apart) throw new Error(`${boxes[i]![0]} overlaps ${boxes[j]![0]}`);
      }
    }
    edges.forEach((e, i) => {
      const from = placed.nodes.get(e.from)!;
      const to = placed.nodes.get(e.to)!;
      expect(from.x + from.width).toBeLessThanOrEqual(to.x);
      expect(placed.edges[i]!.length).toBeGreaterThanOrEqual(2);
    });
    const xs = boxes.map(([, b]) => b.x);
    expect(placed.nodes.get('src')!.x).toBe(Math.min(...xs));
    expect(placed.nodes.get('memo')!.x).toBe(Math.max(...xs));
  });

  it('gives the same layout for the same graph', async () => {
    const { nodes, edges } = graph(40);
    const a = await layoutGraph(nodes, edges);
    const b = await layoutGraph(nodes, edges);
    expect([...b.nodes.entries()]).toEqual([...a.nodes.entries()]);
    expect(b.edges).toEqual(a.edges);
  });
});
