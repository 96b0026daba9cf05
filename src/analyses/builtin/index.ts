/**
 * The built-in analysis pack, as a static registry (dbt's global project: always present,
 * a project's `analyses/<same name>.ts` replaces one). `file` locates each plugin's source,
 * which is part of its fingerprint, so an upgrade that changes a plugin re-runs it.
 */
import type { AnalysisPlugin } from '../../analyse/plugin.ts';
import ab from './ab.ts';
import cuped from './cuped.ts';
import decision from './decision.ts';
import did from './did.ts';
import pretrends from './pretrends.ts';
import sequential from './sequential.ts';
import srm from './srm.ts';
import srmDebug from './srm_debug.ts';
import slices from './slices.ts';

export interface BuiltinPlugin {
  readonly plugin: AnalysisPlugin;
  /**
   * the plugin's TypeScript source, for the fingerprint: the same file whether the runner
   * runs from src/ or from its compiled copy in dist/ (which sits beside src/), so the
   * two never see each other's results as stale
   */
  readonly file: URL;
}

const entry = (plugin: AnalysisPlugin): BuiltinPlugin => ({ plugin, file: new URL(`../../../src/analyses/builtin/${plugin.name}.ts`, import.meta.url) });

export const BUILTIN_PLUGINS: readonly BuiltinPlugin[] = [ab, cuped, decision, did, pretrends, sequential, srm, srmDebug, slices].map(entry);

/** The names of the built-in plugins, in registry order. */
export const BUILTIN_PLUGIN_NAMES: readonly string[] = BUILTIN_PLUGINS.map((b) => b.plugin.name);
