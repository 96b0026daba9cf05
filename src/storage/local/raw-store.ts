/** A local folder as the raw store (the embedded default: file://data/raw/exp_platform). */
import { mkdirSync, realpathSync, renameSync, statSync, copyFileSync, lstatSync } from 'node:fs';
import path from 'node:path';
import { XpError } from '../../core/errors.ts';
import type { RawObject, RawStore } from '../types.ts';
import { safeJoin } from '../safe-path.ts';
import { followLink, walk, type WalkContext } from './walk.ts';

const LAYOUT = '<raw>/<experiment_id>/<table>/*.parquet, e.g. exp_1/exposures/part-0.parquet';

/** The store root must be a folder when it exists (it is created by the first put). */
function realRootOf(base: string): string | undefined {
  const st = statSync(base, { throwIfNoEntry: false });
  if (!st) return undefined;
  if (!st.isDirectory()) {
    throw new XpError('CONFIG_INVALID', `the raw store ${base} is a file, not a folder`, {
      location: { object: base },
      hint: `set storage.raw to a folder laid out as ${LAYOUT}`,
    });
  }
  return realpathSync(base);
}

/**
 * The experiment's folder, when it exists: a folder (a file there is a project error, not a
 * crash), and, when it is a symlink, one that stays inside the store.
 */
function experimentFolder(base: string, experimentId: string): { dir: string; ctx: WalkContext } | undefined {
  const dir = safeJoin(base, experimentId);
  const realRoot = realRootOf(base);
  const lst = realRoot === undefined ? undefined : lstatSync(dir, { throwIfNoEntry: false });
  if (!realRoot || !lst) return undefined;
  const ctx: WalkContext = { realRoot, root: base, experimentId };
  if (lst.isSymbolicLink()) followLink(ctx, dir);
  if (!statSync(dir).isDirectory()) {
    throw new XpError('CONFIG_INVALID', `the raw folder of experiment ${experimentId} is a file: ${dir}`, {
      location: { experiment: experimentId, object: `${experimentId}/` },
      hint: `the raw store holds one folder per experiment (${LAYOUT}): move the file away, then put the experiment's Parquet files under ${dir}/<table>/`,
    });
  }
  return { dir, ctx };
}

export function localRawStore(root: string): RawStore {
  const base = path.resolve(root);
  return {
    uri: `file://${base}`,
    async list(experimentId) {
      const folder = experimentFolder(base, experimentId);
      if (!folder) return [];
      return walk(folder.ctx, folder.dir)
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
      experimentFolder(base, experimentId);
      const dest = safeJoin(base, experimentId, relativeKey);
      if (path.resolve(localFile) === dest) return;
      mkdirSync(path.dirname(dest), { recursive: true });
      const tmp = `${dest}.tmp-${process.pid}`;
      copyFileSync(localFile, tmp);
      renameSync(tmp, dest);
    },
    scratchDir(experimentId) {
      experimentFolder(base, experimentId);
      return safeJoin(base, experimentId);
    },
  };
}
