/**
 * The state's schema versions on both back ends: migrations run once and record each
 * version, a store written by a newer exp-platform is refused, a table missing a column
 * is refused, and two processes migrating one PostgreSQL database at once migrate it once.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openDb, type Db } from '../../src/engine/connection.ts';
import { embeddedState } from '../../src/state/embedded/store.ts';
import { assertReadable, migrateState, STATE_VERSION, stateVersion } from '../../src/state/migrations.ts';
import { openPostgresState } from '../../src/state/postgres/store.ts';
import type { StateStore } from '../../src/state/state.ts';
import { startPostgres, type PgServer } from '../helpers/postgres.ts';

let server: PgServer;
beforeAll(async () => {
  server = await startPostgres();
});
afterAll(() => server?.stop());

const pgTarget = (url: string, db: string) => ({ url, where: `postgres@127.0.0.1:${server.port}/${db}`, host: '127.0.0.1', port: String(server.port), urlEnv: 'XP_STATE_URL' });

async function postgres(db: string): Promise<StateStore> {
  return openPostgresState(pgTarget(await server.createDatabase(db), db));
}

describe.each(['embedded', 'postgres'] as const)('%s', (backend) => {
  let mem: Db | undefined;
  let state: StateStore;
  let n = 0;
  const open = async (): Promise<StateStore> => {
    if (backend === 'embedded') {
      mem = await openDb(':memory:');
      return embeddedState(mem);
    }
    return postgres(`migrations_${++n}`);
  };
  afterEach(async () => {
    await state.close();
    mem?.close();
  });

  it('migrates a new store once, recording every version', async () => {
    state = await open();
    expect(await stateVersion(state)).toBe(0);
    expect(await migrateState(state)).toEqual({ from: 0, to: STATE_VERSION, applied: ['1 ledger and heads', '2 partition catalog and runs', '3 moves', '4 ledger actor', '5 ledger signatures'] });
    expect(await migrateState(state)).toEqual({ from: STATE_VERSION, to: STATE_VERSION, applied: [] });
    const rows = await state.db.selectFrom('xp.state_version').select(['version', 'name']).orderBy('version').execute();
    expect(rows).toEqual([{ version: 1, name: 'ledger and heads' }, { version: 2, name: 'partition catalog and runs' }, { version: 3, name: 'moves' }, { version: 4, name: 'ledger actor' }, { version: 5, name: 'ledger signatures' }]);
    for (const t of ['ledger', 'ledger_heads', 'partitions', 'runs', 'state_version', 'state_moves'] as const) expect(await state.hasTable(t)).toBe(true);
  });

  it('refuses a store of a newer version, for writing and for reading', async () => {
    state = await open();
    await migrateState(state);
    await state.db.insertInto('xp.state_version').values({ version: STATE_VERSION + 1, name: 'from the future', applied_at: '2030-01-01' }).execute();
    const message = `the state at ${state.where} has schema version ${STATE_VERSION + 1}; this xp knows versions up to ${STATE_VERSION}`;
    await expect(migrateState(state)).rejects.toMatchObject({ code: 'STATE_VERSION', exitCode: 2, message });
    await expect(assertReadable(state)).rejects.toMatchObject({ code: 'STATE_VERSION', message });
  });

  it('refuses a table that lacks a column the code reads', async () => {
    state = await open();
    await state.db.schema.createSchema('xp').ifNotExists().execute();
    await state.db.schema.createTable('xp.runs').addColumn('run_id', 'varchar').execute();
    await expect(migrateState(state)).rejects.toMatchObject({
      code: 'STATE_VERSION',
      message: `the state at ${state.where}: table xp.runs has no column started_at, finished_at, command, status, results_json`,
    });
    expect(await stateVersion(state)).toBe(0); // rolled back as one
  });
});

describe('two processes migrating one PostgreSQL database at once', () => {
  it('migrate it once', async () => {
    const url = await server.createDatabase('racing');
    const stores = await Promise.all([1, 2, 3].map(() => openPostgresState(pgTarget(url, 'racing'))));
    try {
      const results = await Promise.all(stores.map((s) => migrateState(s)));
      expect(results.flatMap((r) => r.applied)).toEqual(['1 ledger and heads', '2 partition catalog and runs', '3 moves', '4 ledger actor', '5 ledger signatures']);
      expect(await stores[0]!.db.selectFrom('xp.state_version').select('version').orderBy('version').execute()).toEqual([{ version: 1 }, { version: 2 }, { version: 3 }, { version: 4 }, { version: 5 }]);
    } finally {
      await Promise.all(stores.map((s) => s.close()));
    }
  });
});
