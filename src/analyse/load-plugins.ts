/**
 * The project's analysis plugins: the built-in pack (src/analyses/builtin), with a project
 * file analyses/<name>.ts replacing the built-in of its name (dbt's rule for project macros
 * over global ones), ordered so each runs after the ones it names.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { XpError } from '../core/errors.ts';
import { listFiles } from '../project/load-models.ts';
import { ensureTypeScriptLoader } from '../core/ts-loader.ts';
import { BUILTIN_PLUGINS } from '../analyses/builtin/index.ts';
import { DEFAULT_PLUGIN_TIMEOUT_SECONDS, type AnalysisPlugin } from './plugin.ts';

export interface LoadedPlugin {
  readonly plugin: AnalysisPlugin;
  /** path relative to the project root, or `<builtin>/<name>.ts` for the built-in pack */
  readonly path: string;
  readonly builtin: boolean;
  /** the file's source, part of the plugin's fingerprint */
  readonly source: string;
}

function isPlugin(x: unknown): x is AnalysisPlugin {
  const p = x as AnalysisPlugin;
  return !!p && typeof p.name === 'string' && typeof p.run === 'function' && typeof p.writes === 'object' && Array.isArray(p.reads);
}

export async function loadPlugins(root: string, opts: { readonly builtin?: boolean } = {}): Promise<LoadedPlugin[]> {
  const dir = path.join(root, 'analyses');
  // only top-level files are plugins; subfolders hold their helpers and templates
  const files = listFiles(dir, '.ts').filter((f) => path.dirname(f) === dir && !f.endsWith('.d.ts'));
  const loaded: LoadedPlugin[] = [];
  for (const file of files) {
    const rel = path.relative(root, file);
    const source = readFileSync(file, 'utf8');
    // Keyed by content: a process that loads the project again (runCli in tests, a server)
    // runs the plugin it fingerprints, not a cached older version of the file.
    const url = `${pathToFileURL(file).href}?v=${createHash('sha256').update(source).digest('hex').slice(0, 16)}`;
    const mod = await importPlugin(url, rel);
    if (!isPlugin(mod.default)) {
      throw new XpError('PLUGIN_INVALID', 'an analysis plugin must `export default definePlugin({ name, reads, writes, run })`', {
        location: { file: rel },
        hint: 'see README.md#adding-an-analysis-plugin',
      });
    }
    const expected = path.basename(file, '.ts');
    if (mod.default.name !== expected) {
      throw new XpError('PLUGIN_INVALID', `plugin name "${mod.default.name}" does not match its file name "${expected}"`, {
        location: { file: rel },
        hint: `set name: '${expected}' or rename the file`,
      });
    }
    const timeout = mod.default.timeoutSeconds;
    if (timeout !== undefined && !(typeof timeout === 'number' && Number.isFinite(timeout) && timeout > 0)) {
      throw new XpError('PLUGIN_INVALID', `plugin ${expected}: timeoutSeconds must be a positive number of seconds, got ${JSON.stringify(timeout)}`, {
        location: { file: rel, object: 'timeoutSeconds' },
        hint: `leave it out for the default (${DEFAULT_PLUGIN_TIMEOUT_SECONDS} s) or set e.g. timeoutSeconds: 600`,
      });
    }
    loaded.push({ plugin: mod.default, path: rel, source, builtin: false });
  }
  const own = new Set(loaded.map((l) => l.plugin.name));
  const builtins = (opts.builtin ?? true ? BUILTIN_PLUGINS : [])
    .filter((b) => !own.has(b.plugin.name))
    .map((b): LoadedPlugin => ({ plugin: b.plugin, path: `<builtin>/${b.plugin.name}.ts`, source: readFileSync(b.file, 'utf8'), builtin: true }));
  return orderPlugins([...builtins, ...loaded]);
}

/**
 * Import a plugin module; a syntax error (esbuild's, through tsx: file:line:col)
 * or an exception at load time is the user's project, not our bug.
 */
async function importPlugin(url: string, rel: string): Promise<{ default?: unknown }> {
  try {
    await ensureTypeScriptLoader();
    return (await import(url)) as { default?: unknown };
  } catch (cause) {
    // tsx reports esbuild's syntax errors as "Transform failed with N error(s):\n<file>:<line>:<col>: ERROR: <text>"
    const syntax = /:(\d+):(\d+): ERROR: (.*)$/m.exec(cause instanceof Error ? cause.message : '');
    if (syntax) {
      throw new XpError('PLUGIN_INVALID', `analysis plugin does not compile: ${syntax[3]} (column ${Number(syntax[2]) + 1})`, {
        location: { file: rel, line: Number(syntax[1]) },
        hint: 'fix the TypeScript syntax at that line; nothing was built',
        cause,
      });
    }
    throw new XpError('PLUGIN_INVALID', `analysis plugin failed to load: ${cause instanceof Error ? cause.message : String(cause)}`, {
      location: { file: rel },
      hint: 'a plugin module must only define its plugin when imported; fix the error (or the import) it names',
      cause,
    });
  }
}

export function orderPlugins(plugins: readonly LoadedPlugin[]): LoadedPlugin[] {
  const byName = new Map(plugins.map((p) => [p.plugin.name, p]));
  const out: LoadedPlugin[] = [];
  const state = new Map<string, 'open' | 'done'>();
  const visit = (p: LoadedPlugin, chain: string[]): void => {
    const name = p.plugin.name;
    if (state.get(name) === 'done') return;
    if (state.get(name) === 'open') {
      throw new XpError('PLUGIN_INVALID', `analysis plugins wait on each other: ${[...chain, name].join(' → ')}`, { location: { file: p.path } });
    }
    state.set(name, 'open');
    for (const dep of [...(p.plugin.after ?? [])].sort()) {
      const d = byName.get(dep);
      if (!d) throw new XpError('PLUGIN_INVALID', `plugin ${name} runs after "${dep}", which is not a plugin`, { location: { file: p.path } });
      visit(d, [...chain, name]);
    }
    state.set(name, 'done');
    out.push(p);
  };
  for (const p of [...plugins].sort((a, b) => a.plugin.name.localeCompare(b.plugin.name))) visit(p, []);
  return out;
}
