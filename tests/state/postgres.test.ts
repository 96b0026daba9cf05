/**
 * The state in a real PostgreSQL (started by tests/helpers/postgres.ts): `xp build`
 * records its ledger events, fingerprints and run in PostgreSQL while the partition data
 * stays in the warehouse; `xp status`, `xp ledger verify|log|export|import` and the
 * lifecycle commands read and write it there, and state readers work while a build holds
 * the warehouse.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb } from '../../src/engine/connection.ts';
import { tablesIn } from '../../src/engine/platform-store.ts';
import { readEvents } from '../../src/ledger/store.ts';
import type { LedgerEvent } from '../../src/ledger/events.ts';
import { loadProject } from '../../src/runner/load-project.ts';
import { runBuild } from '../../src/runner/run-build.ts';
import { holdWarehouse } from '../helpers/lock.ts';
import { startPostgres, type PgServer } from '../helpers/postgres.ts';
import { addSequentialProbe, makeProject, warehouse, writeRaw } from '../ledger/helpers.ts';
import { addPgConfig, PG_CONFIG, pgRows, xp } from './helpers.ts';

const DAY = (d: number): Date => new Date(Date.UTC(2026, 0, 5 + d, 6));
const day = (root: string, d: number): Promise<string> => writeRaw(root, 'exp_a', d, d * 40, (d + 1) * 40, DAY(d));

let server: PgServer;
beforeAll(async () => {
  server = await startPostgres();
});
afterAll(() => server?.stop());

interface Status { state: { looks: unknown[]; alphaSpent: number; seq: number; head: string; status: string } }

describe('builds with the state in PostgreSQL', () => {
  let root: string;
  let url: string;
  let env: Record<string, string>;
  const pgx = (...args: string[]) => xp(root, [...args, '--config', PG_CONFIG], env);

  beforeAll(async () => {
    root = makeProject('xp-state-pg-');
    addSequentialProbe(root);
    addPgConfig(root);
    url = await server.createDatabase('builds');
    env = { XP_STATE_URL: url };
    await day(root, 0);
    expect((await pgx('build', '--select', 'exp_a')).code).toBe(0);
    expect((await pgx('experiment', 'start', 'exp_a')).code).toBe(0);
    for (const d of [1, 2]) {
      await day(root, d);
      const b = await pgx('build', '--select', 'exp_a');
      expect(b.code, b.stdout + b.stderr).toBe(0);
    }
  });

  it('records the ledger, the fingerprints and the runs in PostgreSQL, the data in the warehouse', async () => {
    const { n } = (await pgRows<{ n: number }>(url, "select count(*)::int as n from xp.ledger where experiment_id = 'exp_a'"))[0]!;
    expect(n).toBeGreaterThan(20);
    const parts = await pgRows<{ model: string }>(url, "select model from xp.partitions where experiment_id = 'exp_a' order by model");
    expect(parts.map((p) => p.model)).toEqual(['analysis:seq_probe', 'analysis:variant_count', 'stg_events', 'user_values', 'variant_totals']);
    expect(await pgRows(url, 'select count(*)::int as n from xp.runs')).toEqual([{ n: 3 }]);
    expect(await pgRows(url, 'select version from xp.state_version order by version')).toEqual([{ version: 1 }, { version: 2 }, { version: 3 }, { version: 4 }, { version: 5 }]);
    const db = await openDb(warehouse(root), { readOnly: true });
    try {
      expect(await tablesIn(db, 'xp')).toEqual(new Set()); // no second copy of the state
      expect(await db.all("select count(*) as n from exp.variant_totals where experiment_id = 'exp_a'")).toEqual([{ n: 2 }]);
    } finally {
      db.close();
    }
  });

  it('xp status and xp ledger verify read it there', async () => {
    const s = await pgx('status', 'exp_a', '--format', 'json');
    expect(s.code, s.stderr).toBe(0);
    const state = (JSON.parse(s.stdout) as Status).state;
    expect(state.status).toBe('running');
    expect(state.looks).toHaveLength(2);
    expect(state.alphaSpent).toBeGreaterThan(0.005);
    const v = await pgx('ledger', 'verify');
    expect(v.code, v.stderr).toBe(0);
    expect(v.stdout).toBe(`ok      exp_a: ${state.seq} events, head ${state.head.slice(0, 12)}\n`);
    // the default config keeps its own (empty) embedded state: nothing to read there
    expect((await xp(root, ['ledger', 'verify'])).stdout).toBe('no ledger yet: nothing to verify\n');
  });

  it('xp ledger log shows the events PostgreSQL holds', async () => {
    const log = await pgx('ledger', 'log', 'exp_a', '--format', 'json');
    expect(log.code, log.stderr).toBe(0);
    const events = JSON.parse(log.stdout) as LedgerEvent[];
    const rows = await pgRows<{ seq: number; hash: string }>(url, "select seq::int, hash from xp.ledger where experiment_id = 'exp_a' order by seq");
    expect(events.map((e) => ({ seq: e.seq, hash: e.hash }))).toEqual(rows);
  });

  it('a build with nothing new finds every partition fresh from the fingerprints in PostgreSQL', async () => {
    process.env['XP_STATE_URL'] = url;
    try {
      const out = await runBuild(await loadProject(PG_CONFIG, root), { select: 'exp_a' });
      expect(out.status).toBe('success');
      expect(out.results.filter((r) => r.status === 'success')).toEqual([]);
    } finally {
      delete process.env['XP_STATE_URL'];
    }
  });

  it('state readers and lifecycle commands do not wait for a build holding the warehouse', async () => {
    const holder = await holdWarehouse(warehouse(root));
    try {
      const held = async (): Promise<void> => {
        holder.assertHolding();
        await expect(openDb(warehouse(root), { readOnly: true, waitSeconds: 0 })).rejects.toMatchObject({ code: 'WAREHOUSE_LOCKED' });
      };
      await held();
      const s = await pgx('status', 'exp_a', '--format', 'json');
      expect(s.code, s.stderr).toBe(0);
      expect(JSON.parse(s.stdout)).toMatchObject({ ledgerRead: true, state: { status: 'running' } });
      expect((await pgx('experiment', 'pause', 'exp_a', '--reason', 'while a build runs')).code).toBe(0);
      expect((await pgx('experiment', 'resume', 'exp_a')).code).toBe(0);
      expect((await pgx('ledger', 'verify')).code).toBe(0);
      await held();
    } finally {
      await holder.release();
    }
    const state = (JSON.parse((await pgx('status', 'exp_a', '--format', 'json')).stdout) as { state: { statusHistory: { action: string }[] } }).state;
    expect(state.statusHistory.map((h) => h.action)).toEqual(['start', 'pause', 'resume']);
  });

  it('xp ledger export and import keep working: PostgreSQL → file → another PostgreSQL and a warehouse', async () => {
    const file = path.join(root, 'target/exp_a.jsonl');
    const e = await pgx('ledger', 'export', '--select', 'exp_a', '--to', file);
    expect(e.code, e.stderr).toBe(0);
    expect(existsSync(file)).toBe(true);
    const events = JSON.parse((await pgx('ledger', 'log', 'exp_a', '--format', 'json')).stdout) as LedgerEvent[];

    const other = makeProject('xp-state-pg-import-');
    addPgConfig(other);
    const otherEnv = { XP_STATE_URL: await server.createDatabase('imported') };
    const i = await xp(other, ['ledger', 'import', file, '--config', PG_CONFIG], otherEnv);
    expect(i.code, i.stderr).toBe(0);
    expect(i.stdout).toBe(`imported   exp_a: ${events.length} events (${events.length} added)\n`);
    const back = JSON.parse((await xp(other, ['ledger', 'log', 'exp_a', '--format', 'json', '--config', PG_CONFIG], otherEnv)).stdout) as LedgerEvent[];
    expect(back).toEqual(events);
    expect((await xp(other, ['ledger', 'import', file, '--config', PG_CONFIG], otherEnv)).stdout).toMatch(/^up-to-date exp_a/);

    const embedded = makeProject('xp-state-embedded-import-');
    expect((await xp(embedded, ['ledger', 'import', file])).code).toBe(0);
    // Parquet from PostgreSQL too: the verified events, written by a private DuckDB
    const parquet = path.join(root, 'target/exp_a.parquet');
    const p = await pgx('ledger', 'export', '--select', 'exp_a', '--to', parquet);
    expect(p.code, p.stderr).toBe(0);
    const fromParquet = makeProject('xp-state-parquet-import-');
    expect((await xp(fromParquet, ['ledger', 'import', parquet])).code).toBe(0);
    const pq = await openDb(warehouse(fromParquet), { readOnly: true });
    try {
      expect((await readEvents(pq, ['exp_a'])).get('exp_a')).toEqual(events);
    } finally {
      pq.close();
    }
    const db = await openDb(warehouse(embedded), { readOnly: true });
    try {
      expect((await readEvents(db, ['exp_a'])).get('exp_a')).toEqual(events);
    } finally {
      db.close();
    }
  });

  it('xp state show names the store without its credentials', async () => {
    const s = await pgx('state', 'show');
    expect(s.code, s.stderr).toBe(0);
    expect(s.stdout).toBe([
      'backend     postgres',
      `where       postgres@127.0.0.1:${server.port}/builds`,
      'schema      version 5',
      'experiments 1',
      '',
    ].join('\n'));
  });
});
