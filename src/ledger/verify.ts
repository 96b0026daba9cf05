/**
 * Check a chain: seqs 1..n without gaps, each prev_hash equal to the previous hash, each
 * hash recomputed from the event, and the last event equal to the recorded head (so a
 * deleted newest event is caught too). Pure; `verifyLedger` reads the warehouse.
 */
import { XpError } from '../core/errors.ts';
import type { Db } from '../engine/connection.ts';
import { eventHash } from './canonical.ts';
import type { LedgerEvent } from './events.ts';
import { readEvents, readHeads, type Head } from './store.ts';

export interface ChainProblem {
  readonly experimentId: string;
  readonly seq: number;
  readonly problem: 'edited' | 'missing' | 'out-of-order' | 'broken-link' | 'head-mismatch' | 'unknown-kind';
  readonly message: string;
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

/** `head` undefined: no head to compare with (an export file). */
export function verifyChain(experimentId: string, events: readonly LedgerEvent[], head?: Head | null): ChainReport {
  const problems: ChainProblem[] = [];
  const add = (seq: number, problem: ChainProblem['problem'], message: string): void => {
    problems.push({ experimentId, seq, problem, message: `${experimentId} seq ${seq}: ${message}` });
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

export async function verifyLedger(db: Db, experimentIds?: readonly string[]): Promise<ChainReport[]> {
  const events = await readEvents(db, experimentIds);
  const heads = await readHeads(db);
  const ids = experimentIds ?? [...new Set([...events.keys(), ...heads.keys()])].sort();
  return ids.map((id) => verifyChain(id, events.get(id) ?? [], heads.get(id) ?? null));
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
