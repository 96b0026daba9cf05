/**
 * Canonical JSON and the event hash. The hash is part of the stored history, so this file
 * must never change what it computes: a new scheme needs a new version prefix.
 */
import { createHash } from 'node:crypto';

/** JSON with object keys sorted at every level; `undefined` members left out. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map((v) => (v === undefined ? null : sortKeys(v)));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) out[key] = sortKeys(v);
    }
    return out;
  }
  if (typeof value === 'number' && !Number.isFinite(value)) return null;
  return value;
}

export interface HashedFields {
  readonly prevHash: string;
  readonly seq: number;
  readonly experimentId: string;
  readonly at: string;
  readonly kind: string;
  readonly payload: unknown;
  /** who appended the event; events written before actors existed have none */
  readonly actor?: string | null;
}

/**
 * sha256 over (prev_hash, seq, experiment_id, at, kind, canonical payload), NUL-separated,
 * then `actor:<name>` when the event has an actor. An event without one hashes exactly as
 * before actors existed, so old chains still verify; the extra part cannot be confused with
 * a payload because canonical JSON never contains a raw NUL.
 */
export function eventHash(e: HashedFields): string {
  const h = createHash('sha256');
  const parts = ['xp-ledger-v1', e.prevHash, String(e.seq), e.experimentId, e.at, e.kind, canonicalJson(e.payload)];
  if (e.actor) parts.push(`actor:${e.actor}`);
  for (const part of parts) h.update(part).update('\u0000');
  return h.digest('hex');
}

/** sha256 of a value's canonical JSON: config and snapshot hashes. */
export function valueHash(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex');
}
