import { describe, expect, it } from 'vitest';
import { openDb } from '../../src/engine/connection.ts';
import type { NewEvent } from '../../src/ledger/events.ts';
import { appendEvent, appendEvents, ensureLedgerTables, readEvents } from '../../src/ledger/store.ts';
import { verifyLedger } from '../../src/ledger/verify.ts';

const skipped = (node: string): NewEvent => ({ kind: 'stage_skipped', payload: { runId: 'r', node, stage: 'ingest', reason: 'flag' } });

describe('appendEvents: many experiments in one transaction', () => {
  it('extends each chain exactly as one append at a time would, and the chains verify', async () => {
    const bulk = await openDb(':memory:');
    const single = await openDb(':memory:');
    try {
      await ensureLedgerTables(bulk);
      await ensureLedgerTables(single);
      const now = new Date('2026-12-07T00:00:00Z');
      await appendEvent(bulk, 'b', skipped('first'), now);
      await appendEvent(single, 'b', skipped('first'), now);
      const batch = new Map<string, NewEvent[]>([['a', [skipped('x'), skipped('y')]], ['b', [skipped('z')]], ['c', []]]);
      const stored = await appendEvents(bulk, batch, now);
      expect(stored.map((e) => `${e.experimentId}#${e.seq}`)).toEqual(['a#1', 'a#2', 'b#2']);
      for (const [id, list] of batch) for (const e of list) await appendEvent(single, id, e, now);
      expect(await readEvents(bulk)).toEqual(await readEvents(single));
      expect((await verifyLedger(bulk)).every((r) => r.problems.length === 0)).toBe(true);
    } finally {
      bulk.close();
      single.close();
    }
  });

  it('refuses every experiment of the batch when one chain disagrees with its head (LEDGER_CORRUPT), writing nothing', async () => {
    const db = await openDb(':memory:');
    try {
      await ensureLedgerTables(db);
      await appendEvent(db, 'a', skipped('x'));
      await appendEvent(db, 'b', skipped('x'));
      await db.run("update xp.ledger_heads set hash = 'tampered' where experiment_id = 'b'");
      const before = await readEvents(db);
      await expect(appendEvents(db, new Map([['a', [skipped('y')]], ['b', [skipped('y')]]]))).rejects.toMatchObject({
        code: 'LEDGER_CORRUPT',
        message: 'the ledger of b ends at seq 1 but its head says seq 1: events are missing or were edited',
      });
      expect(await readEvents(db)).toEqual(before);
    } finally {
      db.close();
    }
  });
});
