/**
 * `xp state migrate`: move every experiment's history (ledger chains, the partition
 * catalog, the run records) from one state store to another, e.g. the warehouse's to
 * PostgreSQL and back.
 *
 * 1. Verify every chain of the source, and of the target if it holds any.
 * 2. The target must be empty, or hold a prefix of the source's chains (a move that died
 *    half-way and is run again); a diverging or longer chain is refused.
 * 3. One target transaction: the missing events, the source's catalog in place of the
 *    target's, the source's runs.
 * 4. Verify the target's chains again; every head must equal the source's.
 * 5. One source transaction: empty the source and record where it went (moves.ts), so the
 *    old config can no longer start a second history.
 *
 * A crash after 3 and before 5 leaves both stores with the same history and the source
 * unmarked: running the command again completes the move.
 */
import { XpError } from '../core/errors.ts';
import type { LedgerEvent } from '../ledger/events.ts';
import { insertEvents, readEvents, readHeads } from '../ledger/store.ts';
import { planImport } from '../ledger/transfer.ts';
import { assertIntact, verifyChain, type ChainReport } from '../ledger/verify.ts';
import { clearMoves, recordMove } from './moves.ts';
import type { StateStore } from './state.ts';
import type { PartitionsTable, RunsTable } from './tables.ts';

export interface MovedExperiment {
  readonly experimentId: string;
  readonly events: number;
  /** the chain's head hash, equal in both stores after the move */
  readonly head: string;
  /** events the target already had (a move run again) */
  readonly alreadyThere: number;
}

export interface MoveReport {
  readonly from: string;
  readonly to: string;
  readonly experiments: readonly MovedExperiment[];
  readonly partitions: number;
  readonly runs: number;
}

interface Snapshot {
  readonly events: Map<string, LedgerEvent[]>;
  readonly reports: ChainReport[];
  readonly partitions: PartitionsTable[];
  readonly runs: RunsTable[];
}

async function snapshot(state: StateStore): Promise<Snapshot> {
  const events = await readEvents(state);
  const heads = await readHeads(state);
  const ids = [...new Set([...events.keys(), ...heads.keys()])].sort();
  const reports = ids.map((id) => verifyChain(id, events.get(id) ?? [], heads.get(id) ?? null));
  const partitions = (await state.hasTable('partitions')) ? await state.db.selectFrom('xp.partitions').selectAll().execute() : [];
  const runs = (await state.hasTable('runs')) ? await state.db.selectFrom('xp.runs').selectAll().execute() : [];
  return { events, reports, partitions, runs };
}

function refuse(message: string, hint: string): XpError {
  return new XpError('USAGE', message, { hint: `nothing was moved; ${hint}` });
}

/** Both stores open for writing (migrated); the target may be a store that was moved away. */
export async function moveState(source: StateStore, target: StateStore): Promise<MoveReport> {
  const from = await snapshot(source);
  assertIntact(from.reports);
  const to = await snapshot(target);
  assertIntact(to.reports);

  const ids = from.reports.map((r) => r.experimentId);
  const strangers = to.reports.map((r) => r.experimentId).filter((id) => !ids.includes(id));
  if (strangers.length) {
    throw refuse(`the state at ${target.where} already holds experiments that ${source.where} does not: ${strangers.join(', ')}`,
      'move into an empty state, or move those experiments with `xp ledger export` / `xp ledger import`');
  }
  const plans = ids.map((id) => {
    const incoming = from.events.get(id) ?? [];
    const existing = to.events.get(id) ?? [];
    if (existing.length > incoming.length) {
      throw refuse(`the state at ${target.where} has ${existing.length} events of ${id}, more than the ${incoming.length} at ${source.where}`,
        'the target recorded history of its own; keep one of the two stores');
    }
    return planImport(id, incoming, existing); // LEDGER_CORRUPT when they diverge
  });

  await target.transaction(async (tx) => {
    await insertEvents(tx, plans.flatMap((p) => p.toInsert));
    await tx.db.deleteFrom('xp.partitions').execute();
    for (let i = 0; i < from.partitions.length; i += 200) await tx.db.insertInto('xp.partitions').values(from.partitions.slice(i, i + 200)).execute();
    const runIds = from.runs.map((r) => r.run_id);
    for (let i = 0; i < runIds.length; i += 200) await tx.db.deleteFrom('xp.runs').where('run_id', 'in', runIds.slice(i, i + 200)).execute();
    for (let i = 0; i < from.runs.length; i += 100) await tx.db.insertInto('xp.runs').values(from.runs.slice(i, i + 100)).execute();
    await clearMoves(tx);
  });

  const after = await snapshot(target);
  assertIntact(after.reports);
  for (const r of from.reports) {
    const moved = after.reports.find((x) => x.experimentId === r.experimentId);
    if (!moved || moved.head !== r.head || moved.events !== r.events) {
      throw new XpError('LEDGER_CORRUPT', `after the move, the chain of ${r.experimentId} at ${target.where} has ${moved?.events ?? 0} events and head ${moved?.head.slice(0, 12) || '(none)'}, not ${r.events} and ${r.head.slice(0, 12)}`, {
        location: { experiment: r.experimentId },
        hint: `the source ${source.where} was left as it was; run \`xp ledger verify\` on both`,
      });
    }
  }

  const events = from.reports.reduce((n, r) => n + r.events, 0);
  await source.transaction(async (tx) => {
    for (const table of ['xp.ledger', 'xp.ledger_heads', 'xp.partitions', 'xp.runs'] as const) await tx.db.deleteFrom(table).execute();
    await recordMove(tx, { moved_to: target.where, moved_at: new Date().toISOString(), experiments: ids.length, events });
  });

  return {
    from: source.where,
    to: target.where,
    experiments: from.reports.map((r, i) => ({ experimentId: r.experimentId, events: r.events, head: r.head, alreadyThere: plans[i]!.events - plans[i]!.added })),
    partitions: from.partitions.length,
    runs: from.runs.length,
  };
}
