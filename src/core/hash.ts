/** sha256 over parts separated by NUL, so ("ab","c") and ("a","bc") never collide. */
import { createHash } from 'node:crypto';

export function sha256(...parts: readonly string[]): string {
  const h = createHash('sha256');
  for (const p of parts) h.update(p).update('\u0000');
  return h.digest('hex');
}
