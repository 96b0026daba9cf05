/**
 * Builds of single experiments in child `xp build` processes: what `xp build --jobs N` and
 * `xp worker` run. A child process per experiment, not a promise in this one, because
 * DuckDB locks files per process and a build may load a user's plugin: a crash or a
 * runaway plugin ends its own build only, and its exit code says what happened
 * (src/core/errors.ts: 0 built, 1 a stage failed, 2 the project, 3 a lock).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { ProjectConfig } from '../project/types.ts';

const XP_BIN = fileURLToPath(new URL('../../bin/xp.js', import.meta.url));

/** The `xp build` flags a child gets besides its `--select`. */
export interface ChildBuildFlags {
  /** builds running side by side: each child's DuckDB gets the cores / side by side threads (XP_DUCKDB_THREADS) */
  readonly sideBySide?: number;
  readonly fullRefresh?: boolean;
  readonly force?: boolean;
  readonly models?: string;
  readonly exclude?: string;
  readonly generateSynth?: boolean;
  readonly acceptConfigChange?: boolean;
  readonly acceptInputChange?: boolean;
  readonly skip?: ReadonlySet<string>;
  readonly verbose?: boolean;
}

export function childBuildArgs(config: Pick<ProjectConfig, 'root' | 'file'>, experimentId: string, flags: ChildBuildFlags): string[] {
  return [
    'build', '--project-dir', config.root, '--config', config.file, '--select', experimentId,
    ...(flags.fullRefresh ? ['--full-refresh'] : []),
    ...(flags.force ? ['--force'] : []),
    ...(flags.models ? ['--models', flags.models] : []),
    ...(flags.exclude ? ['--exclude', flags.exclude] : []),
    ...(flags.generateSynth ? ['--generate-synth'] : []),
    ...(flags.acceptConfigChange ? ['--accept-config-change'] : []),
    ...(flags.acceptInputChange ? ['--accept-input-change'] : []),
    ...(flags.skip?.size ? ['--skip', [...flags.skip].join(',')] : []),
    ...(flags.verbose ? ['--verbose'] : []),
  ];
}

export interface ChildBuildResult {
  readonly experimentId: string;
  /** the child's exit code; 4 when it died of a signal */
  readonly code: number;
  readonly signal: NodeJS.Signals | null;
  readonly seconds: number;
  /** its last lines of stderr, for a failure's message */
  readonly stderrTail: string;
}

export interface RunningChild {
  readonly child: ChildProcess;
  readonly done: Promise<ChildBuildResult>;
}

/** Start one child build; each line it prints goes to `onLine` (stdout and stderr alike). */
export function startChildBuild(
  config: Pick<ProjectConfig, 'root' | 'file'>,
  experimentId: string,
  flags: ChildBuildFlags,
  onLine: (line: string, stream: 'stdout' | 'stderr') => void,
): RunningChild {
  const started = performance.now();
  const child = spawn(process.execPath, [XP_BIN, ...childBuildArgs(config, experimentId, flags)], {
    cwd: config.root,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      NO_COLOR: process.env['NO_COLOR'] ?? '1',
      ...(flags.sideBySide && flags.sideBySide > 1 ? { XP_DUCKDB_THREADS: String(Math.max(1, Math.floor(availableParallelism() / flags.sideBySide))) } : {}),
    },
  });
  const tail: string[] = [];
  const lines = (stream: 'stdout' | 'stderr') => {
    let rest = '';
    return (chunk: Buffer): void => {
      const parts = (rest + chunk.toString('utf8')).split('\n');
      rest = parts.pop()!;
      for (const line of parts) {
        if (stream === 'stderr') {
          tail.push(line);
          if (tail.length > 20) tail.shift();
        }
        onLine(line, stream);
      }
    };
  };
  child.stdout!.on('data', lines('stdout'));
  child.stderr!.on('data', lines('stderr'));
  const done = new Promise<ChildBuildResult>((resolve) => {
    child.on('close', (code, signal) => resolve({
      experimentId, code: code ?? 4, signal, seconds: (performance.now() - started) / 1000, stderrTail: tail.join('\n'),
    }));
    child.on('error', (err) => resolve({ experimentId, code: 4, signal: null, seconds: 0, stderrTail: String(err) }));
  });
  return { child, done };
}

/** Run `fn` over `items`, at most `n` at a time, keeping the input order in the results. */
export async function inPool<T, R>(items: readonly T[], n: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(n, items.length)) }, lane));
  return out;
}
