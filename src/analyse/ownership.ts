/**
 * Every table in schema `exp` has exactly one owner: the model that builds it, or the one
 * plugin that declares it in `writes`. A plugin that declares a model's table, or a table
 * another plugin writes, could replace data it does not own, so the project does not load.
 * A project plugin with a built-in's name replaces that built-in and so owns its tables.
 * DuckDB matches names case-insensitively, and so does this check.
 */
import { XpError } from '../core/errors.ts';
import type { ModelNode } from '../project/types.ts';
import type { LoadedPlugin } from './load-plugins.ts';

type Owner = { readonly kind: 'model'; readonly model: ModelNode } | { readonly kind: 'plugin'; readonly plugin: LoadedPlugin };

function describeOwner(owner: Owner): string {
  return owner.kind === 'model'
    ? `model ${owner.model.name} (${owner.model.path}) builds`
    : `plugin ${owner.plugin.plugin.name} (${owner.plugin.path}) already writes`;
}

function hintFor(table: string, claimant: LoadedPlugin, owner: Owner): string {
  const rename = `rename the table in writes (e.g. "${claimant.plugin.name}_${table}")`;
  if (owner.kind === 'model') return `${rename}; to read the model, list "${owner.model.name}" in reads and use ctx.query`;
  const other = owner.plugin.plugin.name;
  const replace = owner.plugin.builtin ? `, or replace the built-in with analyses/${other}.ts` : '';
  return `${rename}; to read its rows, add after: ['${other}'] and use ctx.results${replace}`;
}

/**
 * Throws PLUGIN_INVALID for the first table with two owners. Models own their names
 * first; then plugins claim theirs, built-ins before project plugins, each group by name,
 * so the error always names the same claimant.
 */
export function checkTableOwnership(plugins: readonly LoadedPlugin[], models: ReadonlyMap<string, ModelNode>): void {
  const owners = new Map<string, Owner>();
  for (const model of models.values()) owners.set(model.name.toLowerCase(), { kind: 'model', model });
  const claimants = [...plugins].sort((a, b) => Number(a.builtin === false) - Number(b.builtin === false) || a.plugin.name.localeCompare(b.plugin.name));
  for (const loaded of claimants) {
    for (const table of Object.keys(loaded.plugin.writes)) {
      const owner = owners.get(table.toLowerCase());
      if (owner && !(owner.kind === 'plugin' && owner.plugin === loaded)) {
        throw new XpError('PLUGIN_INVALID', `plugin ${loaded.plugin.name} declares table "${table}" in writes, which ${describeOwner(owner)}`, {
          location: { file: loaded.path, object: `writes.${table}` },
          hint: `every table has one owner: ${hintFor(table, loaded, owner)}`,
        });
      }
      owners.set(table.toLowerCase(), { kind: 'plugin', plugin: loaded });
    }
  }
}
