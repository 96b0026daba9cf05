/** A local folder as the raw store (the embedded default: file://data/raw/exp_platform). */
import { existsSync, mkdirSync, readdirSync, renameSync, statSync, copyFileSync } from 'node:fs';
import path from 'node:path';
import type { RawObject, RawStore } from '../types.ts';
import { safeJoin } from '../safe-path.ts';

function walk(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    return e.isDirectory() ? walk(full) : e.name.startsWith('.') ? [] : [full];
  });
}

export function localRawStore(root: string): RawStore {
  const base = path.resolve(root);
  return {
    uri: `file://${base}`,
    async list(experimentId) {
      const dir = safeJoin(base, experimentId);
      return walk(dir)
        .map((file): RawObject => {
          const st = statSync(file);
          return {
            key: path.relative(base, file).split(path.sep).join('/'),
            size: st.size,
            etag: `${st.size}-${Math.round(st.mtimeMs)}`,
          };
        })
        .sort((a, b) => a.key.localeCompare(b.key));
    },
    async localPaths(_experimentId, objects) {
      return new Map(objects.map((o) => [o.key, safeJoin(base, o.key)]));
    },
    async put(experimentId, relativeKey, localFile) {
      const dest = safeJoin(base, experimentId, relativeKey);
      if (path.resolve(localFile) === dest) return;
      mkdirSync(path.dirname(dest), { recursive: true });
      const tmp = `${dest}.tmp-${process.pid}`;
      copyFileSync(localFile, tmp);
      renameSync(tmp, dest);
    },
    scratchDir(experimentId) {
      return safeJoin(base, experimentId);
    },
  };
}
