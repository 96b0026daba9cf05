/**
 * The ledger tables in the warehouse: `xp.ledger` (one hash-chained sequence per
 * experiment) and `xp.ledger_heads` (the last seq and hash of each chain, so losing the
 * newest events is detectable too). Appends run in the caller's transaction when there is
 * one, so an event commits together with the data it describes.
 */
import { Kysely } from 'kysely';
import { XpError } from '../core/errors.ts';
import type { Db } from '../engine/connection.ts';
import { PLATFORM_SCHEMA, tableExists } from '../engine/platform-store.ts';
import { duckDbDialect } from '../engine/kysely/duckdb-dialect.ts';
import { canonicalJson, eventHash } from './canonical.ts';
import type { LedgerEvent, NewEvent } from './events.ts';

export interface LedgerTable {
  seq: number;
  experiment_id: string;
  at: string;
  kind: string;
  /** canonical JSON */
  payload: string;
  prev_hash: string;
  hash: string;
}

export interface LedgerHeadsTable {
  experiment_id: string;
  seq: number;
  hash: string;
  at: string;
}

export interface LedgerDatabase {
  'xp.ledger': LedgerTable;
  'xp.ledger_heads': LedgerHeadsTable;
}

export function ledgerDb(db: Db): Kysely<LedgerDatabase> {
  return new Kysely<LedgerDatabase>({ dialect: duckDbDialect(db) });
}

/** Idempotent. No primary keys (see platform-store.ts): writers delete a head before inserting it. */
export async function ensureLedgerTables(db: Db): Promise<void> {
  await db.run(`create schema if not exists ${PLATFORM_SCHEMA}`);
  await db.run(`create table if not exists xp.ledger (
    seq bigint not null, experiment_id varchar not null, "at" varchar not null, kind varchar not null,
    payload json not null, prev_hash varchar not null, hash varchar not null)`);
  await db.run(`create table if not exists xp.ledger_heads (
    experiment_id varchar not null, seq bigint not null, hash varchar not null, "at" varchar not null)`);
}

export async function hasLedger(db: Db): Promise<boolean> {
  return tableExists(db, PLATFORM_SCHEMA, 'ledger_heads');
}

export function toEvent(row: LedgerTable): LedgerEvent {
  return {
    seq: Number(row.seq),
    experimentId: row.experiment_id,
    at: row.at,
    kind: row.kind,
    payload: JSON.parse(row.payload) as unknown,
    prevHash: row.prev_hash,
    hash: row.hash,
  } as LedgerEvent;
}

export function toRow(e: LedgerEvent): LedgerTable {
  return { seq: e.seq, experiment_id: e.experimentId, at: e.at, kind: e.kind, payload: canonicalJson(e.payload), prev_hash: e.prevHash, hash: e.hash };
}

/** Events of the given experiments (all when omitted), by experiment then seq. */
export async function readEvents(db: Db, experimentIds?: readonly string[]): Promise<Map<string, LedgerEvent[]>> {
  const out = new Map<string, LedgerEvent[]>();
  if (!(await hasLedger(db))) return out;
  let q = ledgerDb(db).selectFrom('xp.ledger').selectAll().orderBy('experiment_id').orderBy('seq');
  if (experimentIds) {
    if (!experimentIds.length) return out;
    q = q.where('experiment_id', 'in', [...experimentIds]);
  }
  for (const row of await q.execute()) {
    const list = out.get(row.experiment_id) ?? [];
    list.push(toEvent(row));
    out.set(row.experiment_id, list);
  }
  return out;
}

export async function readExperimentEvents(db: Db, experimentId: string): Promise<LedgerEvent[]> {
  return (await readEvents(db, [experimentId])).get(experimentId) ?? [];
}

export interface Head {
  readonly seq: number;
  readonly hash: string;
  readonly at: string;
}

export async function readHeads(db: Db): Promise<Map<string, Head>> {
  if (!(await hasLedger(db))) return new Map();
  const rows = await ledgerDb(db).selectFrom('xp.ledger_heads').selectAll().execute();
  return new Map(rows.map((r) => [r.experiment_id, { seq: Number(r.seq), hash: r.hash, at: r.at }]));
}

/** Every experiment with a chain or a head. */
export async function ledgerExperiments(db: Db): Promise<string[]> {
  if (!(await hasLedger(db))) return [];
  const rows = await db.all<{ id: string }>(
    'select experiment_id as id from xp.ledger union select experiment_id from xp.ledger_heads order by 1',
  );
  return rows.map((r) => r.id);
}

async function writeHead(db: Db, e: LedgerEvent): Promise<void> {
  const k = ledgerDb(db);
  await k.deleteFrom('xp.ledger_heads').where('experiment_id', '=', e.experimentId).execute();
  await k.insertInto('xp.ledger_heads').values({ experiment_id: e.experimentId, seq: e.seq, hash: e.hash, at: e.at }).execute();
}

function corrupt(experimentId: string, message: string): XpError {
  return new XpError('LEDGER_CORRUPT', message, {
    location: { experiment: experimentId },
    hint: 'run `xp ledger verify`; restore the experiment with `xp ledger import <export>` or from a warehouse backup',
  });
}

/**
 * Append one event to an experiment's chain (in the caller's transaction, or its own).
 * Refuses when the head and the last stored event disagree: appending would hide a loss.
 * `at` never goes backwards within a chain, so `--at <timestamp>` is well defined.
 */
export async function appendEvent(db: Db, experimentId: string, event: NewEvent, now = new Date()): Promise<LedgerEvent> {
  return db.transaction(async (tx) => {
    const k = ledgerDb(tx);
    const head = await k.selectFrom('xp.ledger_heads').selectAll().where('experiment_id', '=', experimentId).executeTakeFirst();
    const last = await k.selectFrom('xp.ledger').select(['seq', 'hash', 'at']).where('experiment_id', '=', experimentId)
      .orderBy('seq', 'desc').limit(1).executeTakeFirst();
    if ((head?.hash ?? '') !== (last?.hash ?? '') || Number(head?.seq ?? 0) !== Number(last?.seq ?? 0)) {
      throw corrupt(experimentId, `the ledger of ${experimentId} ends at seq ${last?.seq ?? 0} but its head says seq ${head?.seq ?? 0}: events are missing or were edited`);
    }
    const seq = Number(last?.seq ?? 0) + 1;
    const iso = now.toISOString();
    const at = last && last.at > iso ? last.at : iso;
    const prevHash = last?.hash ?? '';
    const payload = JSON.parse(canonicalJson(event.payload)) as unknown;
    const hash = eventHash({ prevHash, seq, experimentId, at, kind: event.kind, payload });
    const stored = { seq, experimentId, at, kind: event.kind, payload, prevHash, hash } as LedgerEvent;
    await k.insertInto('xp.ledger').values(toRow(stored)).execute();
    await writeHead(tx, stored);
    return stored;
  });
}

/** Insert already-verified events (import): the caller checked they extend the chain. */
export async function insertEvents(db: Db, events: readonly LedgerEvent[]): Promise<void> {
  if (!events.length) return;
  const k = ledgerDb(db);
  for (let i = 0; i < events.length; i += 200) {
    await k.insertInto('xp.ledger').values(events.slice(i, i + 200).map(toRow)).execute();
  }
  const byExperiment = new Map<string, LedgerEvent>();
  for (const e of events) {
    const cur = byExperiment.get(e.experimentId);
    if (!cur || e.seq > cur.seq) byExperiment.set(e.experimentId, e);
  }
  for (const e of byExperiment.values()) await writeHead(db, e);
}
