/**
 * Selectors, as in dbt. Models: a method — `name`, `tag:x`, `path:models/core` — with graph
 * operators `+m` (and its ancestors), `m+` (and its descendants), `@m` (m, its
 * descendants and every ancestor of those); a space separates a union (`"a b"`), a comma
 * an intersection (`tag:core,path:models/metrics`); `--exclude` takes the same syntax.
 * Experiments: an id, a glob (`exp_*`) or `all`; a comma or a space separates a union
 * (`exp_a,exp_b` = `"exp_a exp_b"`): ids are a list, never an intersection.
 */
import { XpError } from '../core/errors.ts';
import { closestNames } from '../project/suggest.ts';
import { ancestors, descendants, type Dag } from './dag.ts';

function selectMethod(dag: Dag, term: string, method: string): Set<string> {
  if (method.startsWith('tag:')) {
    const tag = method.slice(4);
    const hit = [...dag.nodes.values()].filter((n) => n.tags.includes(tag)).map((n) => n.name);
    if (!hit.length) {
      const tags = new Set([...dag.nodes.values()].flatMap((n) => n.tags));
      throw unknown(`no model has tag "${tag}"`, term, closestNames(tag, tags).map((t) => `tag:${t}`));
    }
    return new Set(hit);
  }
  if (method.startsWith('path:')) {
    const prefix = method.slice(5).replace(/^\.\//, '').replace(/\/+$/, '');
    const hit = [...dag.nodes.values()]
      .filter((n) => n.path === prefix || n.path.startsWith(prefix + '/') || n.path === `${prefix}.sql`)
      .map((n) => n.name);
    if (!hit.length) throw unknown(`no model lives under "${prefix}"`, term);
    return new Set(hit);
  }
  if (!dag.nodes.has(method)) {
    const names = [...dag.nodes.keys()];
    const close = [...new Set([...names.filter((n) => n.includes(method)), ...closestNames(method, names)])].slice(0, 5);
    throw unknown(`no model named "${method}"`, term, close);
  }
  return new Set([method]);
}

/** One selector without spaces or commas: `@m`, `+m`, `m+`, `+m+` over a method. */
function selectOne(dag: Dag, term: string): Set<string> {
  const at = term.startsWith('@');
  const up = !at && term.startsWith('+');
  const down = term.endsWith('+');
  const method = term.slice(at || up ? 1 : 0, down ? -1 : undefined);
  if (at && (down || method.startsWith('+'))) {
    throw new XpError('SELECTOR_INVALID', `selector "${term}": @ cannot be combined with +`, {
      hint: '@m already takes m, its descendants and their ancestors; write @m alone',
    });
  }
  if (!method) throw new XpError('SELECTOR_INVALID', `selector "${term}": no model, tag: or path: after the graph operator`, { hint: 'e.g. +exposures, exposures+, @exposures' });
  const base = selectMethod(dag, term, method);
  const out = new Set(base);
  for (const m of base) {
    if (up) for (const a of ancestors(dag, m)) out.add(a);
    if (down || at) for (const d of descendants(dag, m)) out.add(d);
  }
  if (at) for (const d of [...out]) for (const a of ancestors(dag, d)) out.add(a);
  return out;
}

function unknown(message: string, term: string, close: readonly string[] = []): XpError {
  return new XpError('SELECTOR_INVALID', `selector "${term}": ${message}`, {
    hint: close.length ? `did you mean: ${close.join(', ')}?` : 'run `xp ls` to list models, tags and paths',
  });
}

/** `"a b,c"` → [["a"], ["b", "c"]]: a union (spaces) of intersections (commas). */
function parseModelSelector(selector: string): string[][] {
  return selector.trim().split(/\s+/).filter(Boolean).map((group) => group.split(',').map((t) => t.trim()).filter(Boolean)).filter((g) => g.length);
}

/** The models a selector names: every space-separated group, each the intersection of its comma-separated parts. */
function resolveSelector(dag: Dag, selector: string, flag: string): Set<string> {
  const out = new Set<string>();
  for (const group of parseModelSelector(selector)) {
    const [first, ...rest] = group.map((t) => selectOne(dag, t));
    const both = [...first!].filter((n) => rest.every((s) => s.has(n)));
    if (!both.length) {
      throw new XpError('SELECTOR_INVALID', `selector "${group.join(',')}": no model matches all of its comma-separated parts (a comma is an intersection, as in dbt)`, {
        hint: `for a union, separate the selectors with a space: ${flag} "${group.join(' ')}"`,
      });
    }
    for (const n of both) out.add(n);
  }
  return out;
}

/** The selected models in DAG order. No selector = every model. */
export function selectModels(dag: Dag, select?: string, exclude?: string): string[] {
  const chosen = select === undefined || select.trim() === '' ? new Set(dag.order) : resolveSelector(dag, select, '-m');
  if (exclude) for (const n of resolveSelector(dag, exclude, '--exclude')) chosen.delete(n);
  return dag.order.filter((n) => chosen.has(n));
}

function globToRegExp(glob: string): RegExp {
  const escaped = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replaceAll('*', '.*').replaceAll('?', '.');
  return new RegExp(`^${escaped}$`);
}

/** Experiment ids for `--select`: ids, globs or `all`, separated by commas or spaces (a union); unknown ids are errors. */
export function selectExperiments(ids: readonly string[], select: string): string[] {
  const chosen = new Set<string>();
  for (const term of select.split(/[,\s]+/).filter(Boolean)) {
    if (term === 'all') {
      ids.forEach((id) => chosen.add(id));
      continue;
    }
    if (term.includes('*') || term.includes('?')) {
      const re = globToRegExp(term);
      const hit = ids.filter((id) => re.test(id));
      if (!hit.length) {
        throw new XpError('EXPERIMENT_UNKNOWN', `no experiment matches "${term}"`, {
          hint: `configured experiments: ${ids.join(', ') || '(none)'}`,
        });
      }
      hit.forEach((id) => chosen.add(id));
      continue;
    }
    if (!ids.includes(term)) {
      throw new XpError('EXPERIMENT_UNKNOWN', `unknown experiment ${JSON.stringify(term)}`, {
        location: { experiment: /^[A-Za-z0-9_.-]+$/.test(term) ? term : JSON.stringify(term) },
        hint: `configured experiments: ${ids.join(', ') || '(none)'}; add it under experiments: or configs/experiments/`,
      });
    }
    chosen.add(term);
  }
  if (!chosen.size) throw new XpError('USAGE', '--select is empty', { hint: 'pass an experiment id, a glob such as exp_*, or all' });
  return ids.filter((id) => chosen.has(id));
}
