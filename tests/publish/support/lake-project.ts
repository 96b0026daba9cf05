/** The mini fixture with a local lake (`storage.lake: file://lake`), and ways to look at the lake. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { miniProject, type TempProject } from '../../helpers/project.ts';
import type { Manifest } from '../../../src/publish/manifest.ts';

/** The tables the mini project publishes: partitioned models past staging, and the plugin's table. */
export const PUBLISHED = ['user_values', 'variant_summary', 'variant_totals'] as const;

export async function miniLakeProject(): Promise<TempProject> {
  const p = await miniProject();
  p.write('configs/dev.yaml', p.read('configs/dev.yaml').replace('raw: file://raw', 'raw: file://raw\n  lake: file://lake'));
  return p;
}

/** Files of one partition folder of a local lake, sorted. */
export function partitionFiles(lakeDir: string, table: string, experimentId: string): string[] {
  const dir = path.join(lakeDir, table, `experiment_id=${experimentId}`);
  return existsSync(dir) ? readdirSync(dir).sort() : [];
}

export function readManifest(lakeDir: string, table: string, experimentId: string): Manifest {
  return JSON.parse(readFileSync(path.join(lakeDir, table, `experiment_id=${experimentId}`, '_manifest.json'), 'utf8')) as Manifest;
}

/** Every file under a folder, relative, sorted. */
export function tree(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return (readdirSync(dir, { recursive: true, withFileTypes: true }) as import('node:fs').Dirent[])
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)).split(path.sep).join('/'))
    .sort();
}
