/**
 * Fingerprints, as in SQLMesh's data hash: a partition is fresh when the hash of its
 * rendered SQL, build settings, input snapshot (for models reading sources) and its
 * parents' fingerprints equals the one recorded when it was last built. Descriptions,
 * tests and tags (metadata) do not take part, so editing docs never triggers a rebuild.
 */
import { sha256 } from '../core/hash.ts';

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
