/** Reading result tables back as the contract's rows: decodeRow on stored values, and a round trip through DuckDB. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stagePluginResults, writeStagedResults } from '../../src/analyse/write-results.ts';
import { decodeRow, readResults } from '../../src/analyses/read-table.ts';
import { DECISIONS } from '../../src/analyses/tables.ts';
import { openDb, type Db } from '../../src/engine/connection.ts';
import { ensurePlatformTables } from '../../src/engine/platform-store.ts';

const SPEC = {
  n: 'bigint', p: 'double', look: 'integer', ok: 'boolean', reasons: 'json', day: 'date', at: 'timestamp', name: 'varchar',
} as const;

describe('decodeRow', () => {
  it('coerces stored values to the spec types', () => {
    expect(decodeRow(SPEC, {
      n: '9007199254740993', p: 0.25, look: 3, ok: true, reasons: '["a",{"kind":"note"}]', day: '2026-01-05', at: '2026-01-05T10:00:00.000Z', name: 'x',
    })).toEqual({ n: 9007199254740992, p: 0.25, look: 3, ok: true, reasons: ['a', { kind: 'note' }], day: '2026-01-05', at: '2026-01-05T10:00:00.000Z', name: 'x' });
  });

  it('reads bigints, number text, boolean text and Dates', () => {
    const row = decodeRow(SPEC, { n: 12n, p: '0.5', look: ' ', ok: 'false', day: new Date(Date.UTC(2026, 0, 5)), at: new Date(Date.UTC(2026, 0, 5, 10)), name: 7 });
    expect(row).toMatchObject({ n: 12, p: 0.5, look: null, ok: false, day: '2026-01-05', at: '2026-01-05T10:00:00.000Z', name: '7' });
  });

  it('absent, null and unreadable values are null; only the spec columns are kept; text that is not JSON stays text', () => {
    expect(decodeRow(SPEC, { p: null, ok: 'maybe', n: 'many', reasons: 'not json', extra: 1 }))
      .toEqual({ n: null, p: null, look: null, ok: null, reasons: 'not json', day: null, at: null, name: null });
  });
});

describe('readResults', () => {
  let db: Db;
  beforeAll(async () => {
    db = await openDb(':memory:');
    await ensurePlatformTables(db);
  });
  afterAll(() => db?.close());

  it('a table that does not exist reads as no rows', async () => {
    expect(await readResults(db, 'decisions', DECISIONS, 'exp_a')).toEqual([]);
  });

  it('is the inverse of writing staged plugin results, one partition at a time', async () => {
    const plugin = { name: 'probe', writes: { probe_results: SPEC } };
    const row = { n: 1200, p: 0.031, look: 2, ok: false, reasons: ['x', { kind: 'note', message: 'y' }], day: '2026-01-05', name: 'treatment' };
    await writeStagedResults(db, [stagePluginResults(plugin, 'exp_a', { probe_results: [row] }, 'fp-a')], 'run-1');
    await writeStagedResults(db, [stagePluginResults(plugin, 'exp_b', { probe_results: [{ n: 1 }] }, 'fp-b')], 'run-1');
    const [read, ...more] = await readResults(db, 'probe_results', SPEC, 'exp_a');
    expect(more).toEqual([]);
    expect(read).toEqual({ ...row, at: null });
  });
});
