/**
 * The PostgreSQL roles the README recommends, on a real server: a builder appends to the
 * ledger but cannot rewrite it; a reader reads it and cannot write.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendEvent, ensureLedgerTables, readEvents } from '../../src/ledger/store.ts';
import { openPostgresState } from '../../src/state/postgres/store.ts';
import { startPostgres, type PgServer } from '../helpers/postgres.ts';

let server: PgServer;
beforeAll(async () => {
  server = await startPostgres();
});
afterAll(() => server?.stop());

const target = (url: string) => ({ url, where: 'roles', host: '127.0.0.1', port: String(server.port), urlEnv: 'XP_STATE_URL' });

describe('recommended PostgreSQL roles', () => {
  it('xp_builder appends but may not update or delete ledger rows; xp_reader only reads', async () => {
    const ownerUrl = await server.createDatabase('roles');
    const owner = await openPostgresState(target(ownerUrl));
    await ensureLedgerTables(owner);
    await owner.close();
    const admin = new pg.Client({ connectionString: ownerUrl });
    await admin.connect();
    try {
      for (const statement of [
        'create role xp_builder login', 'create role xp_reader login',
        'grant usage on schema xp to xp_builder, xp_reader',
        'grant select, insert on xp.ledger to xp_builder',
        'grant select, insert, update, delete on xp.ledger_heads, xp.partitions, xp.runs to xp_builder',
        'grant select on xp.state_version, xp.state_moves to xp_builder',
        'grant select on all tables in schema xp to xp_reader',
      ]) await admin.query(statement);
    } finally {
      await admin.end();
    }
    const as = (role: string): string => ownerUrl.replace('postgres://postgres@', `postgres://${role}@`);
    const builder = await openPostgresState(target(as('xp_builder')));
    try {
      await ensureLedgerTables(builder); // already current: no DDL needed
      await appendEvent(builder, 'exp_a', { kind: 'stage_skipped', payload: { runId: 'r', node: 'n', stage: 'ingest', reason: 'flag' } }, new Date(), 'builder-bot');
      await appendEvent(builder, 'exp_a', { kind: 'stage_skipped', payload: { runId: 'r', node: 'm', stage: 'ingest', reason: 'flag' } }, new Date(), 'builder-bot');
      await expect(builder.db.updateTable('xp.ledger').set({ actor: 'mallory' }).execute()).rejects.toThrow(/permission denied/);
      await expect(builder.db.deleteFrom('xp.ledger').execute()).rejects.toThrow(/permission denied/);
    } finally {
      await builder.close();
    }
    const reader = await openPostgresState(target(as('xp_reader')));
    try {
      expect((await readEvents(reader)).get('exp_a')!.map((e) => e.actor)).toEqual(['builder-bot', 'builder-bot']);
      await expect(appendEvent(reader, 'exp_a', { kind: 'stage_skipped', payload: { runId: 'r', node: 'x', stage: 'ingest', reason: 'flag' } })).rejects.toThrow(/permission denied/);
    } finally {
      await reader.close();
    }
  });
});
