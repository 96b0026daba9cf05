/**
 * Who appended each ledger event: `XP_ACTOR`, else the OS user, recorded on the event and
 * in its hash (so rewriting the actor is caught by `xp ledger verify`), on both state back
 * ends; an event without an actor (written before actors existed) hashes exactly as before;
 * exports carry the actor through both file formats.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb, type Db } from '../../src/engine/connection.ts';
import { canonicalJson, eventHash } from '../../src/ledger/canonical.ts';
import type { NewEvent } from '../../src/ledger/events.ts';
import { appendEvent, currentActor, ensureLedgerTables, readEvents } from '../../src/ledger/store.ts';
import { exportLedger, readLedgerFile } from '../../src/ledger/transfer.ts';
import { verifyChain } from '../../src/ledger/verify.ts';
import { embeddedState } from '../../src/state/embedded/store.ts';
import { openPostgresState } from '../../src/state/postgres/store.ts';
import type { StateStore } from '../../src/state/state.ts';
import { startPostgres, type PgServer } from '../helpers/postgres.ts';

const skipped = (node: string): NewEvent => ({ kind: 'stage_skipped', payload: { runId: 'r', node, stage: 'ingest', reason: 'flag' } });

let server: PgServer;
beforeAll(async () => {
  server = await startPostgres();
});
afterAll(() => server?.stop());

describe('currentActor', () => {
  it('is XP_ACTOR when set (trimmed), else the OS user', () => {
    expect(currentActor({ XP_ACTOR: '  alice@example.com ' })).toBe('alice@example.com');
    expect(currentActor({ XP_ACTOR: '' })).toBe(os.userInfo().username);
    expect(currentActor({})).toBe(os.userInfo().username);
  });
});

describe('eventHash', () => {
  it('hashes an event without an actor exactly as the original scheme did', () => {
    const e = { prevHash: 'abc', seq: 7, experimentId: 'exp_a', at: '2026-01-01T00:00:00.000Z', kind: 'decision', payload: { decision: 'ship', b: [1, 2] } };
    // the original scheme, written out independently of src/ledger/canonical.ts
    const h = createHash('sha256');
    for (const part of ['xp-ledger-v1', 'abc', '7', 'exp_a', e.at, 'decision', '{"b":[1,2],"decision":"ship"}']) h.update(part).update('\u0000');
    expect(eventHash(e)).toBe(h.digest('hex'));
    expect(eventHash({ ...e, actor: null })).toBe(eventHash(e));
    expect(eventHash({ ...e, actor: 'alice' })).not.toBe(eventHash(e));
    expect(eventHash({ ...e, actor: 'alice' })).not.toBe(eventHash({ ...e, actor: 'bob' }));
  });
});

describe.each(['embedded', 'postgres'] as const)('actor on appended events (%s)', (backend) => {
  let mem: Db | undefined;
  let n = 0;
  const open = async (): Promise<StateStore> => {
    if (backend === 'embedded') {
      mem = await openDb(':memory:');
      return embeddedState(mem);
    }
    const db = `actor_${++n}`;
    const url = await server.createDatabase(db);
    return openPostgresState({ url, where: `postgres@127.0.0.1:${server.port}/${db}`, host: '127.0.0.1', port: String(server.port), urlEnv: 'XP_STATE_URL' });
  };

  it('records the actor, reads it back, verifies, and catches a rewritten actor as an edit', async () => {
    const state = await open();
    try {
      await ensureLedgerTables(state);
      await appendEvent(state, 'exp_a', skipped('x'), new Date('2026-01-01T00:00:00Z'), 'alice');
      await appendEvent(state, 'exp_a', skipped('y'), new Date('2026-01-02T00:00:00Z'), 'bob');
      const events = (await readEvents(state)).get('exp_a')!;
      expect(events.map((e) => e.actor)).toEqual(['alice', 'bob']);
      expect(verifyChain('exp_a', events).problems).toEqual([]);
      await state.db.updateTable('xp.ledger').set({ actor: 'mallory' }).where('seq', '=', 1).execute();
      const forged = (await readEvents(state)).get('exp_a')!;
      expect(verifyChain('exp_a', forged).problems).toMatchObject([{ seq: 1, problem: 'edited' }]);
    } finally {
      await state.close();
      mem?.close();
    }
  });

  it('an event stored without an actor (before migration 4) still verifies next to new ones', async () => {
    const state = await open();
    try {
      await ensureLedgerTables(state);
      const at = '2026-01-01T00:00:00.000Z';
      const payload = { runId: 'r', node: 'old', stage: 'ingest', reason: 'flag' };
      const hash = eventHash({ prevHash: '', seq: 1, experimentId: 'exp_a', at, kind: 'stage_skipped', payload });
      await state.db.insertInto('xp.ledger').values({ seq: 1, experiment_id: 'exp_a', at, kind: 'stage_skipped', payload: canonicalJson(payload), prev_hash: '', hash, actor: null }).execute();
      await state.db.insertInto('xp.ledger_heads').values({ experiment_id: 'exp_a', seq: 1, hash, at }).execute();
      await appendEvent(state, 'exp_a', skipped('new'), new Date('2026-01-02T00:00:00Z'), 'carol');
      const events = (await readEvents(state)).get('exp_a')!;
      expect(events.map((e) => e.actor)).toEqual([undefined, 'carol']);
      expect(verifyChain('exp_a', events).problems).toEqual([]);
    } finally {
      await state.close();
      mem?.close();
    }
  });
});

describe('exports carry the actor', () => {
  it.each(['jsonl', 'parquet'] as const)('through %s', async (ext) => {
    const db = await openDb(':memory:');
    try {
      await ensureLedgerTables(db);
      await appendEvent(db, 'exp_a', skipped('x'), new Date('2026-01-01T00:00:00Z'), 'alice');
      const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'xp-actor-')), `ledger.${ext}`);
      await exportLedger(db, ['exp_a'], file);
      const back = (await readLedgerFile(db, file)).get('exp_a')!;
      expect(back.map((e) => e.actor)).toEqual(['alice']);
      expect(verifyChain('exp_a', back).problems).toEqual([]);
    } finally {
      db.close();
    }
  });
});
