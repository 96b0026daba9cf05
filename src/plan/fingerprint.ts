/**
 * Fingerprints, as in SQLMesh's data hash: a partition is fresh when the hash of its
 * rendered SQL, build settings, input snapshot (for models reading sources) and its
 * parents' fingerprints equals the one recorded when it was last built. Descriptions,
 * tests and tags (metadata) do not take part, so editing docs never triggers a rebuild.
 */
import { createHash } from 'node:crypto';
import type { RawObject } from '../storage/types.ts';

export function sha256(...parts: readonly string[]): string {
  const h = createHash('sha256');
  for (const p of parts) h.update(p).update('\u0000');
  return h.digest('hex');
}

/** Hash of a partition's raw objects: keys, sizes and ETags, in key order. */
export function snapshotHash(objects: readonly RawObject[]): string {
  return sha256(...[...objects].sort((a, b) => a.key.localeCompare(b.key)).map((o) => `${o.key}|${o.size}|${o.etag}`));
}

export interface FingerprintInput {
  readonly sql: string;
  readonly settings: Readonly<Record<string, unknown>>;
  /** snapshot hash when the model reads a source, else '' */
  readonly inputs: string;
  readonly parents: readonly string[];
}

export function modelFingerprint(f: FingerprintInput): string {
  return sha256('v1', f.sql, JSON.stringify(f.settings), f.inputs, ...f.parents);
}
