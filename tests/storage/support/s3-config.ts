/** A project config for S3 tests: configs/minio.yaml, pointed at a test server and a temp cache. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../../../src/project/load-config.ts';
import type { ProjectConfig } from '../../../src/project/types.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const minio = loadConfig('configs/minio.yaml', repoRoot);

export interface ConfigOverrides {
  readonly endpoint: string;
  /** default s3://raw/exp_platform */
  readonly raw?: string;
  /** project root; the cache is `<root>/target/cache` */
  readonly root: string;
}

export function s3TestConfig(o: ConfigOverrides): ProjectConfig {
  return {
    ...minio,
    root: o.root,
    storage: { ...minio.storage, raw: o.raw ?? minio.storage.raw, s3: { ...minio.storage.s3!, endpoint: o.endpoint } },
  };
}

/** A temp folder; remove it with the returned function. */
export function tempDir(label: string): { dir: string; remove: () => void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), `xp-${label}-`));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Write `content` to `<dir>/<name>` and return the path. */
export function writeFile(dir: string, name: string, content: string | Buffer): string {
  const file = path.join(dir, name);
  writeFileSync(file, content);
  return file;
}
