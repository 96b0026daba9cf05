/**
 * Check a chain: seqs 1..n without gaps, each prev_hash equal to the previous hash, each
 * hash recomputed from the event, and the last event equal to the recorded head (so a
 * deleted newest event is caught too). Given the config's trusted keys, each signed event's
 * signature is checked too: a forger who edits an event and recomputes the whole chain
 * passes the hash checks but cannot sign. Pure; `verifyLedger` reads the warehouse.
 */
import { XpError } from '../core/errors.ts';
import type { Db } from '../engine/connection.ts';
import { eventHash } from './canonical.ts';
import type { LedgerEvent } from './events.ts';
import { signatureValid, type TrustedKeys } from './signing.ts';
import { readEvents, readHeads, type Head } from './store.ts';

export interface ChainProblem {
  readonly experimentId: string;
  readonly seq: number;
  readonly problem: 'edited' | 'missing' | 'out-of-order' | 'broken-link' | 'head-mismatch' | 'unknown-kind' | 'unknown-key' | 'bad-signature';
  readonly message: string;
  /** what to do about it (signature problems) */
  readonly hint?: string;
}

export interface ChainReport {
  readonly experimentId: string;
  readonly events: number;
  readonly head: string;
  readonly problems: readonly ChainProblem[];
}

const KNOWN = new Set(['registered', 'config_snapshot', 'config_changed', 'status_changed', 'input_snapshot', 'build_started',
  'stage_finished', 'stage_failed', 'stage_skipped', 'build_finished', 'look', 'decision', 'memo_written',
  'approval']);

/**
 * `head` undefined: no head to compare with (an export file). `keys` undefined: signatures
 * are not checked (export and import move chains as they are; `xp ledger verify` checks them).
 */
export function verifyChain(experimentId: string, events: readonly LedgerEvent[], head?: Head | null, keys?: TrustedKeys): ChainReport {
  const problems: ChainProblem[] = [];
  const add = (seq: number, problem: ChainProblem['problem'], message: string, hint?: string): void => {
    problems.push({ experimentId, seq, problem, message: `${experimentId} seq ${seq}: ${message}`, ...(hint ? { hint } : {}) });
  };
  let prev: LedgerEvent | undefined;
  for (const e of events) {
    const expectedSeq = (prev?.seq ?? 0) + 1;
    if (e.experimentId !== experimentId) add(e.seq, 'out-of-order', `event belongs to ${e.experimentId}`);
    if (e.seq < expectedSeq) add(e.seq, 'out-of-order', `seq ${e.seq} repeated or out of order`);
    else if (e.seq > expectedSeq) {
      add(expectedSeq, 'missing', expectedSeq === e.seq - 1 ? `event ${expectedSeq} is missing` : `events ${expectedSeq}..${e.seq - 1} are missing`);
    }
    if (!KNOWN.has(e.kind)) add(e.seq, 'unknown-kind', `unknown event kind "${e.kind}"`);
    if (e.prevHash !== (prev?.hash ?? '')) {
      if (e.seq === expectedSeq) add(e.seq, 'broken-link', 'prev_hash does not match the previous event\'s hash');
    }
    if (eventHash({ prevHash: e.prevHash, seq: e.seq, experimentId: e.experimentId, at: e.at, kind: e.kind, payload: e.payload, actor: e.actor }) !== e.hash) {
      add(e.seq, 'edited', `hash does not match the event's content (the ${e.kind} event was edited)`);
    }
    if (keys && e.signature !== undefined) checkSignature(e, keys, add);
    prev = e;
  }
  if (head !== undefined) {
    const lastSeq = prev?.seq ?? 0;
    if (head === null) {
      if (events.length) add(lastSeq, 'head-mismatch', 'no head recorded for this chain');
    } else if (head.seq !== lastSeq || head.hash !== (prev?.hash ?? '')) {
      add(head.seq > lastSeq ? lastSeq + 1 : head.seq, 'head-mismatch',
        head.seq > lastSeq ? `the chain ends at seq ${lastSeq} but its head is seq ${head.seq}: the newest events were deleted` : `the chain's last event differs from its recorded head (seq ${head.seq})`);
    }
  }
  return { experimentId, events: events.length, head: prev?.hash ?? '', problems };
}

function checkSignature(e: LedgerEvent, keys: TrustedKeys, add: (seq: number, problem: ChainProblem['problem'], message: string, hint?: string) => void): void {
  const trusted = keys.get(e.keyId ?? '');
  if (!trusted) {
    add(e.seq, 'unknown-key', `the ${e.kind} event is signed by key ${e.keyId || '(none)'}, which is not in ledger.public_keys`,
      keys.size ? `trusted keys: ${[...keys].map(([id, k]) => `${k.name} (${id})`).join(', ')}; add the signer's public key under ledger.public_keys if it is trusted, else the event was forged`
        : 'list the signers\' public keys under ledger.public_keys in the project config (`xp ledger keygen` prints the line)');
  } else if (!signatureValid(e.hash, e.signature!, trusted.key)) {
    add(e.seq, 'bad-signature', `the ${e.kind} event's signature does not verify under key ${trusted.name} (${e.keyId}): the event or the chain before it was rewritten`,
      'restore the experiment from an export (`xp ledger import <file>`) or a warehouse backup, and find out who wrote to the state store');
  }
}

export async function verifyLedger(db: Db, experimentIds?: readonly string[], keys?: TrustedKeys): Promise<ChainReport[]> {
  const events = await readEvents(db, experimentIds);
  const heads = await readHeads(db);
  const ids = experimentIds ?? [...new Set([...events.keys(), ...heads.keys()])].sort();
  return verifyRead(ids, events, heads, keys);
}

/** verifyLedger over chains and heads already read: a build reads its chains once, to verify and to fold. */
export function verifyRead(ids: readonly string[], events: ReadonlyMap<string, readonly LedgerEvent[]>, heads: ReadonlyMap<string, Head>, keys?: TrustedKeys): ChainReport[] {
  return ids.map((id) => verifyChain(id, events.get(id) ?? [], heads.get(id) ?? null, keys));
}

/** Throw LEDGER_CORRUPT naming the first problem of the first broken chain. */
export function assertIntact(reports: readonly ChainReport[]): void {
  const first = reports.find((r) => r.problems.length);
  if (!first) return;
  const p = first.problems[0]!;
  const more = reports.reduce((n, r) => n + r.problems.length, 0) - 1;
  throw new XpError('LEDGER_CORRUPT', `the ledger of ${p.experimentId} is broken at seq ${p.seq}: ${p.message.replace(/^.*?: /, '')}${more > 0 ? ` (and ${more} more problem${more > 1 ? 's' : ''})` : ''}`, {
    location: { experiment: p.experimentId },
    hint: 'run `xp ledger verify` for every problem; restore from `xp ledger import <export>` or a warehouse backup',
  });
}
