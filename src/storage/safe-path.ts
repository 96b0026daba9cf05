import path from 'node:path';
import { XpError } from '../core/errors.ts';

/** Is `full` (an absolute, resolved path) `base` itself or below it? */
export function isInside(base: string, full: string): boolean {
  return full === base || full.startsWith(base.endsWith(path.sep) ? base : base + path.sep);
}

/** Join under a root and refuse anything that would land outside it (`../`, absolute keys). */
export function safeJoin(root: string, ...parts: string[]): string {
  const base = path.resolve(root);
  const full = path.resolve(base, ...parts);
  if (!isInside(base, full)) {
    throw new XpError('EXPERIMENT_ID_INVALID', `path ${JSON.stringify(parts.join('/'))} escapes ${base}`, {
      location: { object: parts.join('/') },
      hint: 'experiment ids and object keys must stay inside their store',
    });
  }
  return full;
}
