import path from 'node:path';
import { XpError } from '../core/errors.ts';

/** Join under a root and refuse anything that would land outside it (`../`, absolute keys). */
export function safeJoin(root: string, ...parts: string[]): string {
  const base = path.resolve(root);
  const full = path.resolve(base, ...parts);
  if (full !== base && !full.startsWith(base + path.sep)) {
    throw new XpError('EXPERIMENT_ID_INVALID', `path ${JSON.stringify(parts.join('/'))} escapes ${base}`, {
      location: { object: parts.join('/') },
      hint: 'experiment ids and object keys must stay inside their store',
    });
  }
  return full;
}
