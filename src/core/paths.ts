/** Where a project's generated files live: one resolver, relative to the project root. */
import path from 'node:path';

interface Located {
  readonly root: string;
  readonly warehouse: string;
  readonly target_dir: string;
}

/** The project's DuckDB warehouse file. */
export function warehousePath(config: Located): string {
  return path.resolve(config.root, config.warehouse);
}

/** target/: compiled SQL, run results, memos, reports, docs, cache. */
export function targetDir(config: Located): string {
  return path.resolve(config.root, config.target_dir);
}

/** target/memos/<id>.md (and .json beside it). */
export function memoPath(config: Located, experimentId: string, ext: 'md' | 'json' = 'md'): string {
  return path.join(targetDir(config), 'memos', `${experimentId}.${ext}`);
}

/** target/reports/<id>.html. */
export function reportPath(config: Located, experimentId: string): string {
  return path.join(targetDir(config), 'reports', `${experimentId}.html`);
}
