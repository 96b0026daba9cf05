/**
 * One plugin run behind its guards:
 * - a deadline (`timeoutSeconds`): past it the run fails naming the plugin and the build
 *   goes on (a promise cannot be cancelled; the context closes, so what keeps running in
 *   the background can no longer read or write, and the CLI exits when the build is done);
 * - `process.exit` called from the plugin's code (found by its async context) throws
 *   PLUGIN_INVALID instead of ending the build half-way;
 * - a refused action fails the run even if the plugin caught the error.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { XpError } from '../core/errors.ts';
import type { ProjectConfig } from '../project/types.ts';
import { openSession, type SessionOptions } from './context.ts';
import { DEFAULT_PLUGIN_TIMEOUT_SECONDS, type AnalysisPlugin, type PluginOutput } from './plugin.ts';
import type { DoorKeeper } from './read-door.ts';

/** setTimeout's longest delay; a longer one would fire at once */
const MAX_TIMER_MS = 2 ** 31 - 1;

const running = new AsyncLocalStorage<DoorKeeper>();
let intercepting = 0;
let realExit: typeof process.exit = process.exit;

type ExitCodeArg = Parameters<typeof process.exit>[0];

function pluginExit(code?: ExitCodeArg): never {
  const keeper = running.getStore();
  if (!keeper) return realExit.call(process, code);
  throw keeper.refuse(new XpError('PLUGIN_INVALID', `plugin ${keeper.plugin} called process.exit(${code ?? ''}); a plugin returns rows or throws, it never ends the build`, {
    location: { file: keeper.file, experiment: keeper.experiment },
    hint: 'throw an Error to fail the plugin (or declare it optional: true to only warn)',
  }));
}

/** Route process.exit through `pluginExit` until the returned function is called. */
function interceptExit(): () => void {
  if (intercepting++ === 0) {
    realExit = process.exit;
    process.exit = pluginExit as typeof process.exit;
  }
  let restored = false;
  return () => {
    if (restored) return;
    restored = true;
    if (--intercepting === 0) process.exit = realExit;
  };
}

export interface PluginTimeout {
  readonly seconds: number;
  /** where the value comes from, for the hint */
  readonly from: 'plugin' | 'project' | 'default';
}

/**
 * The plugin's own `timeoutSeconds`, else the project's `analyses.timeout_seconds` (read
 * when the config schema has it), else DEFAULT_PLUGIN_TIMEOUT_SECONDS.
 */
export function pluginTimeout(plugin: Pick<AnalysisPlugin, 'timeoutSeconds'>, project: ProjectConfig): PluginTimeout {
  if (plugin.timeoutSeconds !== undefined) return { seconds: plugin.timeoutSeconds, from: 'plugin' };
  const analyses = project.analyses;
  if ('timeout_seconds' in analyses && typeof analyses.timeout_seconds === 'number') return { seconds: analyses.timeout_seconds, from: 'project' };
  return { seconds: DEFAULT_PLUGIN_TIMEOUT_SECONDS, from: 'default' };
}

function timeoutError(keeper: DoorKeeper, timeout: PluginTimeout): XpError {
  const raise = {
    plugin: 'raise timeoutSeconds in its definePlugin',
    project: 'raise analyses.timeout_seconds in the project config, or set timeoutSeconds in its definePlugin',
    default: `set timeoutSeconds in its definePlugin (the default is ${DEFAULT_PLUGIN_TIMEOUT_SECONDS} s)`,
  }[timeout.from];
  return new XpError('STAGE_FAILED', `analysis ${keeper.plugin} did not finish within ${timeout.seconds} s and was abandoned`, {
    location: { file: keeper.file, experiment: keeper.experiment },
    hint: `make it faster, or ${raise}; earlier results are intact`,
  });
}

/** Run `plugin` for one experiment with its deadline, its read-only context and process.exit intercepted. */
export async function runPlugin(plugin: AnalysisPlugin, opts: SessionOptions): Promise<PluginOutput> {
  const session = openSession(opts);
  const timeout = pluginTimeout(plugin, opts.project);
  const restoreExit = interceptExit();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(timeoutError(session.keeper, timeout)), Math.min(timeout.seconds * 1000, MAX_TIMER_MS));
  });
  try {
    const output = await Promise.race([running.run(session.keeper, async () => plugin.run(session.ctx)), deadline]);
    const refused = session.refused();
    if (refused) throw refused;
    return output;
  } catch (err) {
    throw session.refused() ?? err;
  } finally {
    clearTimeout(timer);
    restoreExit();
    await session.close();
  }
}
