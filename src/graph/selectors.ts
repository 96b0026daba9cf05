/**
 * Selectors, as in dbt: models with `name`, `+name` (and its ancestors), `name+` (and its
 * descendants), `tag:x`, `path:models/core`; a comma is a union; `--exclude` takes the same
 * syntax. Experiments with an id, a comma list, a glob (`exp_*`) or `all`.
 */
import { XpError } from '../core/errors.ts';
import { ancestors, descendants, type Dag } from './dag.ts';

function selectOne(dag: Dag, term: string): Set<string> {
  if (term.startsWith('tag:')) {
    const tag = term.slice(4);
    const hit = [...dag.nodes.values()].filter((n) => n.tags.includes(tag)).map((n) => n.name);
    if (!hit.length) throw unknown(`no model has tag "${tag}"`, term);
    return new Set(hit);
  }
  if (term.startsWith('path:')) {
    const prefix = term.slice(5).replace(/\/+$/, '');
    const hit = [...dag.nodes.values()]
      .filter((n) => n.path === prefix || n.path.startsWith(prefix + '/') || n.path === `${prefix}.sql`)
      .map((n) => n.name);
    if (!hit.length) throw unknown(`no model lives under "${prefix}"`, term);
    return new Set(hit);
  }
  const up = term.startsWith('+');
  const down = term.endsWith('+');
  const name = term.slice(up ? 1 : 0, down ? -1 : undefined);
  if (!dag.nodes.has(name)) {
    const close = [...dag.nodes.keys()].filter((n) => n.includes(name)).slice(0, 5);
    throw unknown(`no model named "${name}"`, term, close.length ? `did you mean: ${close.join(', ')}?` : undefined);
  }
  const out = new Set([name]);
  if (up) for (const a of ancestors(dag, name)) out.add(a);
  if (down) for (const d of descendants(dag, name)) out.add(d);
  return out;
}

function unknown(message: string, term: string, hint?: string): XpError {
  return new XpError('SELECTOR_INVALID', `selector "${term}": ${message}`, {
    hint: hint ?? 'run `xp ls` to list models, tags and paths',
  });
}

function terms(selector: string): string[] {
  return selector.split(/[,\s]+/).map((t) => t.trim()).filter(Boolean);
}

/** The selected models in DAG order. No selector = every model. */
export function selectModels(dag: Dag, select?: string, exclude?: string): string[] {
  const chosen = new Set<string>();
  if (select === undefined || select.trim() === '') for (const n of dag.order) chosen.add(n);
  else for (const t of terms(select)) for (const n of selectOne(dag, t)) chosen.add(n);
  if (exclude) for (const t of terms(exclude)) for (const n of selectOne(dag, t)) chosen.delete(n);
  return dag.order.filter((n) => chosen.has(n));
}

function globToRegExp(glob: string): RegExp {
  const escaped = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replaceAll('*', '.*').replaceAll('?', '.');
  return new RegExp(`^${escaped}$`);
}

/** Experiment ids for `--select`: id, comma list, glob or `all`; unknown ids are errors. */
export function selectExperiments(ids: readonly string[], select: string): string[] {
  const chosen = new Set<string>();
  for (const term of terms(select)) {
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
