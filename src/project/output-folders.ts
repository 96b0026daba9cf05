/**
 * The folders xp writes to (target_dir, the warehouse's folder) must be folders it can
 * write: checked when the config loads, so a `target` that is a file or a read-only
 * folder is a project error naming the folder (exit 2), not a crash in whatever step
 * first writes there.
 */
import { accessSync, constants, statSync } from 'node:fs';
import path from 'node:path';
import { XpError } from '../core/errors.ts';
import type { YamlSource } from './yaml-source.ts';

interface OutputConfig {
  readonly root: string;
  readonly warehouse: string;
  readonly target_dir: string;
}

const WHAT = {
  target_dir: 'another folder (xp writes the warehouse, compiled SQL, run results and memos there)',
  warehouse: 'a file in a folder xp may write',
} as const;

/** The folder itself if it exists, else its nearest existing ancestor. */
function exists(p: string): boolean {
  try {
    return statSync(p, { throwIfNoEntry: false }) !== undefined;
  } catch {
    return false; // ENOTDIR: a file is on the way up, found next
  }
}

function nearestExisting(dir: string): string {
  let at = dir;
  while (!exists(at)) {
    const up = path.dirname(at);
    if (up === at) break;
    at = up;
  }
  return at;
}

function checkFolder(key: 'target_dir' | 'warehouse', value: string, dir: string, src: YamlSource): void {
  const given = (src.data as Record<string, unknown> | null | undefined)?.[key] !== undefined;
  const location = { file: src.file, ...(given ? { line: src.lineOf([key]) } : {}) };
  const existing = nearestExisting(dir);
  if (!statSync(existing).isDirectory()) {
    throw new XpError('CONFIG_INVALID', existing === dir
      ? `${key} "${value}": ${dir} is a file, not a folder`
      : `${key} "${value}": cannot create the folder ${dir}: ${existing} is a file`, {
      location,
      hint: `move the file ${existing} out of the way, or set ${key} in the config to ${WHAT[key]}`,
    });
  }
  try {
    accessSync(existing, constants.W_OK | constants.X_OK);
  } catch (cause) {
    throw new XpError('CONFIG_INVALID', `${key} "${value}": cannot write to the folder ${existing}`, {
      location,
      hint: `fix the folder's permissions (e.g. chmod u+rwx ${existing}, or chown it to the user running xp), or set ${key} in the config to ${WHAT[key]}`,
      cause,
    });
  }
}

export function checkOutputFolders(config: OutputConfig, src: YamlSource): void {
  const target = path.resolve(config.root, config.target_dir);
  checkFolder('target_dir', config.target_dir, target, src);
  const warehouseDir = path.dirname(path.resolve(config.root, config.warehouse));
  if (warehouseDir !== target) checkFolder('warehouse', config.warehouse, warehouseDir, src);
}
