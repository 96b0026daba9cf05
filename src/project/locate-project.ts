/**
 * Which project a command works on, as dbt finds dbt_project.yml: the project root is the
 * folder models/, macros/, analyses/ and target/ resolve against, whatever the current
 * folder. In order:
 *
 * 1. `--project-dir <dir>`, else the XP_PROJECT_DIR environment variable;
 * 2. an explicit `--config <file>`: the folder above its `configs/` folder, or the folder
 *    holding it when it is not in a `configs/` folder;
 * 3. the nearest folder holding configs/dev.yaml, walking up from the current folder.
 *
 * A relative `--config` is read from the current folder; with a project folder given and
 * no such file there, from the project folder.
 */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { XpError } from '../core/errors.ts';

export const DEFAULT_CONFIG = 'configs/dev.yaml';
export const PROJECT_DIR_ENV = 'XP_PROJECT_DIR';

export interface LocateOptions {
  readonly cwd: string;
  /** `--config` when given on the command line (not its default) */
  readonly config?: string;
  /** `--project-dir` */
  readonly projectDir?: string;
  readonly env?: Readonly<Record<string, string | undefined>>;
}

export interface ProjectLocation {
  /** absolute project root */
  readonly root: string;
  /** absolute config file */
  readonly config: string;
  /** how the root was found, for messages */
  readonly from: 'project-dir' | 'env' | 'config' | 'found';
}

const HOW_TO_POINT = `run xp inside the project (the folder holding ${DEFAULT_CONFIG}, or below it), or point at it with --project-dir <dir> or ${PROJECT_DIR_ENV}=<dir>`;

function isDir(p: string): boolean {
  return statSync(p, { throwIfNoEntry: false })?.isDirectory() ?? false;
}

/** The nearest folder at or above `from` that holds configs/dev.yaml. */
export function findProjectRoot(from: string): string | undefined {
  let at = path.resolve(from);
  for (;;) {
    if (existsSync(path.join(at, DEFAULT_CONFIG))) return at;
    const up = path.dirname(at);
    if (up === at) return undefined;
    at = up;
  }
}

export function locateProject(opts: LocateOptions): ProjectLocation {
  const given = opts.projectDir ?? opts.env?.[PROJECT_DIR_ENV];
  if (given !== undefined && given !== '') {
    const from = opts.projectDir !== undefined ? 'project-dir' : 'env';
    const flag = from === 'project-dir' ? '--project-dir' : PROJECT_DIR_ENV;
    const root = path.resolve(opts.cwd, given);
    if (!isDir(root)) {
      throw new XpError('USAGE', `${flag} ${given}: ${root} is not a folder`, {
        hint: `point ${flag} at the project folder, the one holding ${DEFAULT_CONFIG}`,
      });
    }
    if (opts.config === undefined) return { root, config: path.join(root, DEFAULT_CONFIG), from };
    const inCwd = path.resolve(opts.cwd, opts.config);
    return { root, config: existsSync(inCwd) ? inCwd : path.resolve(root, opts.config), from };
  }
  if (opts.config !== undefined) {
    const config = path.resolve(opts.cwd, opts.config);
    const dir = path.dirname(config);
    return { root: path.basename(dir) === 'configs' ? path.dirname(dir) : dir, config, from: 'config' };
  }
  const root = findProjectRoot(opts.cwd);
  if (root === undefined) {
    throw new XpError('CONFIG_NOT_FOUND', `no project here: no ${DEFAULT_CONFIG} in ${opts.cwd} or any folder above it`, {
      hint: `${HOW_TO_POINT}, or pass --config <file>`,
    });
  }
  return { root, config: path.join(root, DEFAULT_CONFIG), from: 'found' };
}

/** Where a project without models was looked for, and how to point at the right one (a build's error). */
export function noModelsError(root: string, configFile: string): XpError {
  const models = path.join(root, 'models');
  return new XpError('USAGE', `no models found: ${models} has no .sql files (project ${root}, config ${configFile})`, {
    location: { file: models },
    hint: `add models/<layer>/<name>.sql, or ${HOW_TO_POINT}; with --config, the project is the folder above the config's configs/ folder`,
  });
}
