/**
 * The model DAG: edges from {{ref}}, checked for unknown refs and cycles, ordered
 * topologically (stable: stage order, then name, so plans are deterministic).
 */
import { XpError } from '../core/errors.ts';
import type { ModelNode, Stage } from '../project/types.ts';

export interface Dag {
  readonly nodes: ReadonlyMap<string, ModelNode>;
  /** model → the models it refs */
  readonly parents: ReadonlyMap<string, readonly string[]>;
  /** model → the models that ref it */
  readonly children: ReadonlyMap<string, readonly string[]>;
  /** every model, parents before children */
  readonly order: readonly string[];
}

const STAGE_RANK: Record<Stage, number> = { ingest: 0, dq: 1, metrics: 2 };

function findCycle(names: readonly string[], parents: ReadonlyMap<string, readonly string[]>): string[] | undefined {
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (n: string): string[] | undefined => {
    if (state.get(n) === 'done') return undefined;
    if (state.get(n) === 'open') return [...stack.slice(stack.indexOf(n)), n];
    state.set(n, 'open');
    stack.push(n);
    for (const p of parents.get(n) ?? []) {
      const c = visit(p);
      if (c) return c;
    }
    stack.pop();
    state.set(n, 'done');
    return undefined;
  };
  for (const n of names) {
    const c = visit(n);
    if (c) return c.reverse();
  }
  return undefined;
}

export function buildDag(models: readonly ModelNode[]): Dag {
  const nodes = new Map(models.map((m) => [m.name, m]));
  const parents = new Map<string, string[]>();
  const children = new Map<string, string[]>(models.map((m) => [m.name, []]));
  for (const m of models) {
    for (const r of m.refs) {
      if (!nodes.has(r)) {
        const close = [...nodes.keys()].filter((n) => n.includes(r) || r.includes(n)).slice(0, 3);
        throw new XpError('MODEL_REF_UNKNOWN', `model ${m.name} refs "${r}", which is not a model`, {
          location: { file: m.path, model: m.name },
          hint: close.length ? `did you mean ${close.map((c) => `"${c}"`).join(' or ')}?` : 'create models/<layer>/' + r + '.sql or fix the name',
        });
      }
      children.get(r)!.push(m.name);
    }
    parents.set(m.name, [...m.refs]);
  }
  const cycle = findCycle([...nodes.keys()].sort(), parents);
  if (cycle) {
    throw new XpError('MODEL_CYCLE', `models form a cycle: ${cycle.join(' → ')}`, {
      location: { file: cycle.slice(0, -1).map((n) => nodes.get(n)!.path).join(', ') },
      hint: 'a model cannot depend on itself, directly or through others; remove one of these refs',
    });
  }
  // Kahn's algorithm with a deterministic priority: stage, then name.
  const indegree = new Map([...nodes.keys()].map((n) => [n, parents.get(n)!.length]));
  const rank = (n: string): [number, string] => [STAGE_RANK[nodes.get(n)!.stage], n];
  const ready = [...nodes.keys()].filter((n) => indegree.get(n) === 0);
  const order: string[] = [];
  while (ready.length) {
    ready.sort((a, b) => {
      const [ra, na] = rank(a);
      const [rb, nb] = rank(b);
      return ra - rb || na.localeCompare(nb);
    });
    const n = ready.shift()!;
    order.push(n);
    for (const c of children.get(n)!) {
      indegree.set(c, indegree.get(c)! - 1);
      if (indegree.get(c) === 0) ready.push(c);
    }
  }
  return { nodes, parents, children, order };
}

export function ancestors(dag: Dag, name: string): Set<string> {
  return walk(name, dag.parents);
}

export function descendants(dag: Dag, name: string): Set<string> {
  return walk(name, dag.children);
}

function walk(start: string, edges: ReadonlyMap<string, readonly string[]>): Set<string> {
  const seen = new Set<string>();
  const pending = [...(edges.get(start) ?? [])];
  while (pending.length) {
    const n = pending.pop()!;
    if (seen.has(n)) continue;
    seen.add(n);
    pending.push(...(edges.get(n) ?? []));
  }
  return seen;
}
