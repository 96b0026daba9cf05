/**
 * The ledger tables of the state store (src/state): `xp.ledger` (one hash-chained
 * sequence per experiment) and `xp.ledger_heads` (the last seq and hash of each chain, so
 * losing the newest events is detectable too). Every function takes a warehouse
 * connection, whose bound store it uses (embedded in the warehouse, or PostgreSQL), or a
 * store. Appends run in the caller's transaction when there is one, so an event commits
 * together with the data it describes.
 */
import os from 'node:os';
import type { Kysely } from 'kysely';
import { XpError } from '../core/errors.ts';
import { stateOf, type StateSource } from '../state/bind.ts';
import { migrateState } from '../state/migrations.ts';
import type { StateStore } from '../state/state.ts';
import type { LedgerTable, StateDatabase } from '../state/tables.ts';
import { canonicalJson, eventHash } from './canonical.ts';
import type { LedgerEvent, NewEvent } from './events.ts';
import { currentSigningKey, signHash } from './signing.ts';

export type { LedgerHeadsTable, LedgerTable } from '../state/tables.ts';

const byCodePoint = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export type LedgerDatabase = Pick<StateDatabase, 'xp.ledger' | 'xp.ledger_heads'>;

export function ledgerDb(source: StateSource): Kysely<StateDatabase> {
  return stateOf(source).db;
}

/** Idempotent: brings the state store to the current schema (src/state/migrations.ts). */
export async function ensureLedgerTables(source: StateSource): Promise<void> {
  await migrateState(stateOf(source));
}

export async function hasLedger(source: StateSource): Promise<boolean> {
  return stateOf(source).hasTable('ledger_heads');
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
    ...(row.actor ? { actor: row.actor } : {}),
    ...(row.signature ? { signature: row.signature, keyId: row.key_id ?? '' } : {}),
  } as LedgerEvent;
}

export function toRow(e: LedgerEvent): LedgerTable {
  return { seq: e.seq, experiment_id: e.experimentId, at: e.at, kind: e.kind, payload: canonicalJson(e.payload), prev_hash: e.prevHash, hash: e.hash, actor: e.actor ?? null, signature: e.signature ?? null, key_id: e.keyId ?? null };
}

/** Events of the given experiments (all when omitted), by experiment then seq. */
export async function readEvents(source: StateSource, experimentIds?: readonly string[]): Promise<Map<string, LedgerEvent[]>> {
  const out = new Map<string, LedgerEvent[]>();
  const state = stateOf(source);
  if (!(await state.hasTable('ledger_heads'))) return out;
  let q = state.db.selectFrom('xp.ledger').selectAll().orderBy('experiment_id').orderBy('seq');
  if (experimentIds) {
    if (!experimentIds.length) return out;
    q = q.where('experiment_id', 'in', [...experimentIds]);
  }
  for (const row of await q.execute()) {
    const list = out.get(row.experiment_id) ?? [];
    list.push(toEvent(row));
    out.set(row.experiment_id, list);
  }
  // experiments in code-point order on every back end (a PostgreSQL collation may differ from DuckDB's)
  return new Map([...out].sort(([a], [b]) => byCodePoint(a, b)));
}

export async function readExperimentEvents(source: StateSource, experimentId: string): Promise<LedgerEvent[]> {
  return (await readEvents(source, [experimentId])).get(experimentId) ?? [];
}

export interface Head {
  readonly seq: number;
  readonly hash: string;
  readonly at: string;
}

export async function readHeads(source: StateSource): Promise<Map<string, Head>> {
  const state = stateOf(source);
  if (!(await state.hasTable('ledger_heads'))) return new Map();
  const rows = await state.db.selectFrom('xp.ledger_heads').selectAll().execute();
  return new Map(rows.map((r) => [r.experiment_id, { seq: Number(r.seq), hash: r.hash, at: r.at }]));
}

/** Every experiment with a chain or a head. */
export async function ledgerExperiments(source: StateSource): Promise<string[]> {
  const state = stateOf(source);
  if (!(await state.hasTable('ledger_heads'))) return [];
  const k = state.db;
  const rows = await k.selectFrom('xp.ledger').select('experiment_id as id')
    .union(k.selectFrom('xp.ledger_heads').select('experiment_id as id'))
    .execute();
  return rows.map((r) => r.id).sort(byCodePoint);
}

async function writeHead(state: StateStore, e: LedgerEvent): Promise<void> {
  await state.db.deleteFrom('xp.ledger_heads').where('experiment_id', '=', e.experimentId).execute();
  await state.db.insertInto('xp.ledger_heads').values({ experiment_id: e.experimentId, seq: e.seq, hash: e.hash, at: e.at }).execute();
}

/** Who appends: `XP_ACTOR` when set, else the OS user (never empty: `unknown` when neither is known). */
export function currentActor(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env.XP_ACTOR?.trim();
  if (fromEnv) return fromEnv;
  try {
    return os.userInfo().username || 'unknown';
  } catch {
    return 'unknown'; // no passwd entry for this uid (some containers)
  }
}

function corrupt(experimentId: string, message: string): XpError {
  return new XpError('LEDGER_CORRUPT', message, {
    location: { experiment: experimentId },
    hint: 'run `xp ledger verify`; restore the experiment with `xp ledger import <export>` or from a warehouse backup',
  });
}

/** PostgreSQL's unique violation: another process appended the same seq first (the primary key keeps the chain single). */
function isDuplicate(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === '23505';
}

function raced(experimentId: string, cause: unknown): XpError {
  return new XpError('EXPERIMENT_LOCKED', `another process appended to the ledger of ${experimentId} at the same time; nothing was recorded by this one`, {
    location: { experiment: experimentId },
    hint: 'one writer per experiment: run it again once the other command has finished (`xp status` shows the ledger it wrote)',
    cause,
  });
}

/**
 * Append one event to an experiment's chain (in the caller's transaction, or its own).
 * Refuses when the head and the last stored event disagree: appending would hide a loss.
 * `at` never goes backwards within a chain, so `--at <timestamp>` is well defined. On
 * PostgreSQL the head row is locked first, so appends of several processes queue.
 */
export async function appendEvent(source: StateSource, experimentId: string, event: NewEvent, now = new Date(), actor = currentActor(), signer = currentSigningKey()): Promise<LedgerEvent> {
  return (await appendEvents(source, new Map([[experimentId, [event]]]), now, actor, signer))[0]!;
}

/**
 * Append each experiment's events to its chain, all in one transaction and in a handful
 * of statements whatever the number of experiments (heads and last events read in bulk,
 * rows inserted together): a build of 300 experiments records its start in milliseconds,
 * not seconds. Each chain is checked against its head first; on PostgreSQL the heads are
 * locked (FOR UPDATE) so two writers of one experiment cannot both extend it.
 */
export async function appendEvents(source: StateSource, batch: ReadonlyMap<string, readonly NewEvent[]>, now = new Date(), actor = currentActor(), signer = currentSigningKey()): Promise<LedgerEvent[]> {
  const ids = [...batch.keys()].filter((id) => batch.get(id)!.length > 0);
  if (!ids.length) return [];
  try {
    return await stateOf(source).transaction(async (tx) => {
      const k = tx.db;
      const stored: LedgerEvent[] = [];
      for (let i = 0; i < ids.length; i += 500) {
        const chunk = ids.slice(i, i + 500);
        const headQuery = k.selectFrom('xp.ledger_heads').selectAll().where('experiment_id', 'in', chunk);
        const heads = new Map((await (tx.backend === 'postgres' ? headQuery.forUpdate() : headQuery).execute()).map((h) => [h.experiment_id, h]));
        const maxes = new Map((await k.selectFrom('xp.ledger').select(['experiment_id', (eb) => eb.fn.max('seq').as('seq')])
          .where('experiment_id', 'in', chunk).groupBy('experiment_id').execute()).map((r) => [r.experiment_id, Number(r.seq)]));
        const lasts = new Map((await k.selectFrom('xp.ledger').select(['experiment_id', 'seq', 'hash', 'at'])
          .where('experiment_id', 'in', chunk)
          .where((eb) => eb.or(chunk.map((id) => eb.and([eb('experiment_id', '=', id), eb('seq', '=', maxes.get(id) ?? 0)]))))
          .execute()).map((r) => [r.experiment_id, r]));
        const rows: LedgerTable[] = [];
        const newHeads: LedgerEvent[] = [];
        for (const experimentId of chunk) {
          const head = heads.get(experimentId);
          const last = lasts.get(experimentId);
          if ((head?.hash ?? '') !== (last?.hash ?? '') || Number(head?.seq ?? 0) !== Number(last?.seq ?? 0)) {
            throw corrupt(experimentId, `the ledger of ${experimentId} ends at seq ${last?.seq ?? 0} but its head says seq ${head?.seq ?? 0}: events are missing or were edited`);
          }
          let prev = last ? { seq: Number(last.seq), hash: last.hash, at: last.at } : { seq: 0, hash: '', at: '' };
          const iso = now.toISOString();
          for (const event of batch.get(experimentId)!) {
            const seq = prev.seq + 1;
            const at = prev.at > iso ? prev.at : iso;
            const payload = JSON.parse(canonicalJson(event.payload)) as unknown;
            const hash = eventHash({ prevHash: prev.hash, seq, experimentId, at, kind: event.kind, payload, actor });
            const e = { seq, experimentId, at, kind: event.kind, payload, prevHash: prev.hash, hash, actor, ...(signer ? signHash(hash, signer) : {}) } as LedgerEvent;
            rows.push(toRow(e));
            stored.push(e);
            prev = { seq, hash, at };
          }
          newHeads.push(stored[stored.length - 1]!);
        }
        for (let j = 0; j < rows.length; j += 200) await k.insertInto('xp.ledger').values(rows.slice(j, j + 200)).execute();
        await k.deleteFrom('xp.ledger_heads').where('experiment_id', 'in', chunk).execute();
        await k.insertInto('xp.ledger_heads').values(newHeads.map((e) => ({ experiment_id: e.experimentId, seq: e.seq, hash: e.hash, at: e.at }))).execute();
      }
      return stored;
    });
  } catch (err) {
    if (isDuplicate(err)) throw raced(ids.length === 1 ? ids[0]! : ids.join(', '), err);
    throw err;
  }
}

/** Insert already-verified events (import, state migrate): the caller checked they extend the chain. */
export async function insertEvents(source: StateSource, events: readonly LedgerEvent[]): Promise<void> {
  if (!events.length) return;
  await stateOf(source).transaction(async (tx) => {
    for (let i = 0; i < events.length; i += 200) {
      await tx.db.insertInto('xp.ledger').values(events.slice(i, i + 200).map(toRow)).execute();
    }
    const byExperiment = new Map<string, LedgerEvent>();
    for (const e of events) {
      const cur = byExperiment.get(e.experimentId);
      if (!cur || e.seq > cur.seq) byExperiment.set(e.experimentId, e);
    }
    for (const e of byExperiment.values()) await writeHead(tx, e);
  });
}
