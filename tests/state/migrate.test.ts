/**
 * `xp state migrate --to-config <config>` against a real PostgreSQL: every experiment's
 * history moves warehouse → PostgreSQL → warehouse with its chains verified before and
 * after, the catalog and the runs with it; the store moved away refuses to be used; the
 * legacy fixture moves too.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StepResult } from '../../src/core/results.ts';
import { openDb } from '../../src/engine/connection.ts';
import { readPartitions, readRuns } from '../../src/engine/platform-store.ts';
import type { LedgerEvent } from '../../src/ledger/events.ts';
import { loadProject } from '../../src/runner/load-project.ts';
import { runBuild } from '../../src/runner/run-build.ts';
import { startPostgres, type PgServer } from '../helpers/postgres.ts';
import { addSequentialProbe, makeProject, warehouse, writeRaw } from '../ledger/helpers.ts';
import { addPgConfig, legacyExpected, legacyProject, PG_CONFIG, pgRows, xp } from './helpers.ts';

const DAY = (d: number): Date => new Date(Date.UTC(2026, 0, 5 + d, 6));
const day = (root: string, d: number): Promise<string> => writeRaw(root, 'exp_a', d, d * 40, (d + 1) * 40, DAY(d));

let server: PgServer;
beforeAll(async () => {
  server = await startPostgres();
});
afterAll(() => server?.stop());

/**
 * Model partitions a build rebuilt. Analyses re-run after switching configs: their
 * fingerprint hashes the experiment object, which names its config file
 * (src/analyse/run-analyses.ts); a re-run on the same snapshot takes no new look.
 */
const rebuiltModels = (results: readonly StepResult[]): string[] =>
  results.filter((r) => r.status === 'success' && !r.node.startsWith('analysis:')).map((r) => r.node);

interface State { looks: unknown[]; alphaSpent: number; seq: number; head: string }

async function catalog(root: string): Promise<{ partitions: unknown[]; runs: unknown[] }> {
  const db = await openDb(warehouse(root), { readOnly: true });
  try {
    return { partitions: await readPartitions(db), runs: await readRuns(db, 100) };
  } finally {
    db.close();
  }
}

describe('xp state migrate: warehouse → PostgreSQL → warehouse', () => {
  let root: string;
  let env: Record<string, string>;
  let url: string;
  let events: LedgerEvent[];
  let before: { partitions: unknown[]; runs: unknown[] };
  const run = (args: readonly string[], config?: string) => xp(root, config ? [...args, '--config', config] : args, env);
  const log = async (config?: string): Promise<LedgerEvent[]> => JSON.parse((await run(['ledger', 'log', 'exp_a', '--format', 'json'], config)).stdout) as LedgerEvent[];
  const state = async (config?: string): Promise<State> => (JSON.parse((await run(['status', 'exp_a', '--format', 'json'], config)).stdout) as { state: State }).state;

  beforeAll(async () => {
    root = makeProject('xp-state-move-');
    addSequentialProbe(root);
    addPgConfig(root);
    url = await server.createDatabase('moved');
    env = { XP_STATE_URL: url };
    await day(root, 0);
    expect((await run(['build', '--select', 'exp_a'])).code).toBe(0);
    expect((await run(['experiment', 'start', 'exp_a'])).code).toBe(0);
    for (const d of [1, 2]) {
      await day(root, d);
      expect((await run(['build', '--select', 'exp_a'])).code).toBe(0);
    }
    events = await log();
    before = await catalog(root);
    expect((await state()).looks).toHaveLength(2);
  });

  it('moves the history to PostgreSQL, chains verified before and after', async () => {
    const r = await run(['state', 'migrate', '--to-config', PG_CONFIG]);
    expect(r.code, r.stderr).toBe(0);
    const head = events.at(-1)!.hash;
    expect(r.stdout).toBe([
      `moved    exp_a: ${events.length} events, head ${head.slice(0, 12)} (verified in both)`,
      `moved 1 experiment(s), ${events.length} events, ${before.partitions.length} partition fingerprint(s) and 3 run record(s) from ${warehouse(root)} to postgres@127.0.0.1:${server.port}/moved`,
      `${warehouse(root)} is now empty and refuses to be used (STATE_MOVED); use the other config from now on`,
      '',
    ].join('\n'));
    expect(await log(PG_CONFIG)).toEqual(events);
    const v = await run(['ledger', 'verify'], PG_CONFIG);
    expect(v.stdout).toBe(`ok      exp_a: ${events.length} events, head ${head.slice(0, 12)}\n`);
    const parts = await pgRows<{ model: string; fingerprint: string }>(url, 'select model, experiment_id, rows from xp.partitions order by model, experiment_id');
    expect(parts).toHaveLength(before.partitions.length);
    expect(await pgRows(url, 'select count(*)::int as n from xp.runs')).toEqual([{ n: 3 }]);
  });

  it('the old config refuses the store it moved away from (STATE_MOVED, exit 2), for reads and builds', async () => {
    const s = await run(['status', 'exp_a']);
    expect(s.code).toBe(2);
    expect(s.stderr).toMatch(new RegExp(`^error\\[STATE_MOVED\\] object ${warehouse(root)}: the state at ${warehouse(root)} was moved to postgres@127\\.0\\.0\\.1:${server.port}/moved at \\S+Z \\(xp state migrate\\); this config's store is no longer used\\n  hint: use the config whose state: block points to postgres@`));
    const b = await run(['build', '--select', 'exp_a']);
    expect(b.code).toBe(2);
    expect(b.stderr).toContain('error[STATE_MOVED]');
    expect(await log(PG_CONFIG)).toEqual(events); // nothing recorded anywhere
  });

  it('builds with the PostgreSQL state go on: nothing to rebuild, then look 3 on new data', async () => {
    process.env['XP_STATE_URL'] = url;
    try {
      const fresh = await runBuild(await loadProject(PG_CONFIG, root), { select: 'exp_a' });
      expect(rebuiltModels(fresh.results)).toEqual([]);
    } finally {
      delete process.env['XP_STATE_URL'];
    }
    expect((await state(PG_CONFIG)).looks).toHaveLength(2);
    await day(root, 3);
    expect((await run(['build', '--select', 'exp_a'], PG_CONFIG)).code).toBe(0);
    expect((await state(PG_CONFIG)).looks).toHaveLength(3);
  });

  it('moves back to the warehouse: the same chains, verified; PostgreSQL now refuses', async () => {
    const onPg = await log(PG_CONFIG);
    const looks = (await state(PG_CONFIG)).looks;
    const r = await run(['state', 'migrate', '--to-config', 'configs/dev.yaml'], PG_CONFIG);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`moved    exp_a: ${onPg.length} events`);
    expect(await log()).toEqual(onPg);
    expect(onPg.slice(0, events.length)).toEqual(events);
    expect((await state()).looks).toEqual(looks);
    expect((await run(['ledger', 'verify'])).code).toBe(0);
    expect(await pgRows(url, 'select count(*)::int as n from xp.ledger')).toEqual([{ n: 0 }]);
    const s = await run(['status'], PG_CONFIG);
    expect(s.code).toBe(2);
    expect(s.stderr).toContain(`error[STATE_MOVED] object postgres@127.0.0.1:${server.port}/moved: the state at postgres@127.0.0.1:${server.port}/moved was moved to ${warehouse(root)}`);
    const fresh = await runBuild(await loadProject('configs/dev.yaml', root), { select: 'exp_a' });
    expect(fresh.status).toBe('success');
    expect(rebuiltModels(fresh.results)).toEqual([]);
    expect((await state()).looks).toEqual(looks); // the same snapshot takes no second look
  });

  it('refuses to move a state onto itself', async () => {
    const r = await run(['state', 'migrate', '--to-config', 'configs/dev.yaml']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`error[USAGE]: dev.yaml and dev.yaml name the same state (${warehouse(root)}): nothing to move\n  hint: give --to-config the config whose state: block names the other store\n`);
  });
});

describe('the legacy warehouse moves to PostgreSQL', () => {
  it('with its chain verified and the same looks', async () => {
    const root = legacyProject();
    addPgConfig(root);
    const env = { XP_STATE_URL: await server.createDatabase('legacy') };
    const expected = legacyExpected();
    const r = await xp(root, ['state', 'migrate', '--to-config', PG_CONFIG], env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.split('\n')[0]).toBe(`moved    exp_a: ${expected.status.state.seq} events, head ${expected.status.state.head.slice(0, 12)} (verified in both)`);
    expect((await xp(root, ['ledger', 'verify', '--config', PG_CONFIG], env)).stdout).toBe(expected.verify);
    const s = JSON.parse((await xp(root, ['status', 'exp_a', '--format', 'json', '--config', PG_CONFIG], env)).stdout) as { state: State };
    expect(s.state.looks).toEqual(expected.status.state.looks);
    expect(s.state.alphaSpent).toBe(expected.status.state.alphaSpent);
    expect(path.basename(root)).toBe('mini');
  });
});
