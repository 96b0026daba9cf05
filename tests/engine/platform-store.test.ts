/** The typed door to xp.partitions and xp.runs, and the catalog questions, on real DuckDB. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDb, type Db } from '../../src/engine/connection.ts';
import {
  ensurePlatformTables,
  experimentFingerprints,
  hasBuiltPartitions,
  readPartitions,
  readRuns,
  readStoredFingerprints,
  recordFingerprint,
  recordRun,
  tableExists,
  tablesIn,
} from '../../src/engine/platform-store.ts';

let db: Db;
beforeEach(async () => {
  db = await openDb(':memory:');
});
afterEach(() => db.close());

const fp = (model: string, experimentId: string | null, fingerprint: string) => ({ model, experimentId, fingerprint, runId: 'r1' });

describe('before any build', () => {
  it('every reader reads an absent platform table as empty', async () => {
    expect((await readStoredFingerprints(db)).size).toBe(0);
    expect(await experimentFingerprints(db, 'exp_a')).toEqual([]);
    expect(await hasBuiltPartitions(db, 'exp_a')).toBe(false);
    expect(await readPartitions(db)).toEqual([]);
    expect(await readRuns(db, 10)).toEqual([]);
    expect(await tableExists(db, 'xp', 'partitions')).toBe(false);
  });
});

describe('xp.partitions', () => {
  beforeEach(() => ensurePlatformTables(db));

  it('records one fingerprint per partition, replacing the previous one; project-level models are experiment null', async () => {
    await recordFingerprint(db, fp('m', 'exp_a', 'f1'), 3);
    await recordFingerprint(db, fp('m', 'exp_a', 'f2'), 4);
    await recordFingerprint(db, fp('m', 'exp_b', 'f3'), 5);
    await recordFingerprint(db, fp('totals', null, 'f4'), 1);
    const stored = await readStoredFingerprints(db);
    expect(stored.size).toBe(3);
    expect(stored.get({ model: 'm', experimentId: 'exp_a' })).toBe('f2');
    expect(stored.get({ model: 'totals', experimentId: null })).toBe('f4');
    expect(stored.has({ model: 'totals', experimentId: '' })).toBe(false);
    expect(await db.all('select model, experiment_id, rows from xp.partitions order by all')).toEqual([
      { model: 'm', experiment_id: 'exp_a', rows: 4 }, { model: 'm', experiment_id: 'exp_b', rows: 5 }, { model: 'totals', experiment_id: '', rows: 1 },
    ]);
    expect((await readPartitions(db)).map(({ builtAt: _, ...p }) => p)).toEqual([
      { model: 'm', experimentId: 'exp_a', rows: 4 }, { model: 'm', experimentId: 'exp_b', rows: 5 }, { model: 'totals', experimentId: null, rows: 1 },
    ]);
  });

  it('answers per experiment: its nodes by name, and whether anything was built', async () => {
    await recordFingerprint(db, fp('z_model', 'exp_a', 'f1'), 1);
    await recordFingerprint(db, fp('analysis:ab', 'exp_a', 'f2'), 1);
    await recordFingerprint(db, fp('z_model', "exp_'b", 'f3'), 1);
    expect(await experimentFingerprints(db, 'exp_a')).toEqual([{ node: 'analysis:ab', fingerprint: 'f2' }, { node: 'z_model', fingerprint: 'f1' }]);
    expect(await hasBuiltPartitions(db, "exp_'b")).toBe(true);
    expect(await hasBuiltPartitions(db, 'exp_c')).toBe(false);
  });

  it('a fingerprint recorded in a rolled-back transaction is not kept', async () => {
    await recordFingerprint(db, fp('m', 'exp_a', 'f1'), 1);
    await expect(db.transaction(async (tx) => {
      await recordFingerprint(tx, fp('m', 'exp_a', 'f2'), 2);
      throw new Error('abort');
    })).rejects.toThrow('abort');
    expect((await readStoredFingerprints(db)).get({ model: 'm', experimentId: 'exp_a' })).toBe('f1');
  });
});

describe('xp.runs', () => {
  beforeEach(() => ensurePlatformTables(db));

  const run = (id: string, started: string, status: 'success' | 'error') => ({
    run_id: id, command: 'xp build', started_at: started, finished_at: started, status, elapsed_seconds: 0, results: [{ node: 'm' }],
  });

  it('records a run once per id and reads the newest first, up to the limit', async () => {
    await recordRun(db, run('r1', '2026-01-01T00:00:00Z', 'error'));
    await recordRun(db, run('r2', '2026-01-02T00:00:00Z', 'success'));
    await recordRun(db, run('r1', '2026-01-01T00:00:00Z', 'success'));
    expect(await readRuns(db, 10)).toEqual([
      { run_id: 'r2', started_at: '2026-01-02T00:00:00Z', finished_at: '2026-01-02T00:00:00Z', command: 'xp build', status: 'success', results_json: '[{"node":"m"}]' },
      { run_id: 'r1', started_at: '2026-01-01T00:00:00Z', finished_at: '2026-01-01T00:00:00Z', command: 'xp build', status: 'success', results_json: '[{"node":"m"}]' },
    ]);
    expect((await readRuns(db, 1)).map((r) => r.run_id)).toEqual(['r2']);
  });
});

describe('catalog', () => {
  it('knows which tables and views exist in a schema', async () => {
    await ensurePlatformTables(db);
    await db.run('create table exp.a (x int)');
    await db.run('create view exp.b as select 1 as x');
    expect(await tableExists(db, 'exp', 'a')).toBe(true);
    expect(await tableExists(db, 'exp', 'b')).toBe(true);
    expect(await tableExists(db, 'exp', 'partitions')).toBe(false);
    expect(await tablesIn(db, 'exp')).toEqual(new Set(['a', 'b']));
    // the state schema is migrated as one (src/state/migrations.ts)
    expect(await tablesIn(db, 'xp')).toEqual(new Set(['ledger', 'ledger_heads', 'partitions', 'runs', 'state_version', 'state_moves']));
  });
});
