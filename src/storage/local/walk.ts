/**
 * List the files under a folder of the local raw store. Symlinks are followed only while
 * they stay inside the store: a link to a file elsewhere on the machine would make xp read
 * (and fingerprint) data nobody put in the store, so it is refused, naming link and target.
 */
import { readdirSync, readlinkSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import { XpError } from '../../core/errors.ts';
import { isInside } from '../safe-path.ts';

export interface WalkContext {
  /** the store's root, symlinks resolved */
  readonly realRoot: string;
  /** the logical root keys are relative to */
  readonly root: string;
  readonly experimentId: string;
}

const keyOf = (ctx: WalkContext, file: string): string => path.relative(ctx.root, file).split(path.sep).join('/');

/** The real path of a symlink inside the store; refuses one that leaves it or leads nowhere. */
export function followLink(ctx: WalkContext, link: string): string {
  const target = path.resolve(path.dirname(link), readlinkSync(link));
  let real: string;
  try {
    real = realpathSync(link);
  } catch (cause) {
    throw new XpError('RAW_DATA_MISSING', `symlink ${link} in the raw store points to ${target}, which does not exist`, {
      location: { experiment: ctx.experimentId, object: keyOf(ctx, link) },
      hint: 'remove the link or put the file it should point to in place, then rebuild',
      cause,
    });
  }
  if (!isInside(ctx.realRoot, real)) {
    throw new XpError('CONFIG_INVALID', `symlink ${link} points to ${real}, outside the raw store ${ctx.realRoot}; refusing to follow it`, {
      location: { experiment: ctx.experimentId, object: keyOf(ctx, link) },
      hint: 'copy the file into the raw store instead of linking it, or set storage.raw to the folder that holds it; nothing was read',
    });
  }
  return real;
}

/** Every non-hidden file below `dir` (logical paths), following symlinks that stay inside the store. */
export function walk(ctx: WalkContext, dir: string, seen: Set<string> = new Set()): string[] {
  const real = realpathSync(dir);
  if (seen.has(real)) return []; // a link back to a folder already listed
  seen.add(real);
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    const isDir = e.isSymbolicLink() ? statSync(followLink(ctx, full)).isDirectory() : e.isDirectory();
    if (isDir) return walk(ctx, full, seen);
    return e.name.startsWith('.') ? [] : [full];
  });
}
