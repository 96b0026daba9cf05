/**
 * Upgrades never lose history: a warehouse written by an older exp-platform (before the
 * state store had a schema version; tests/fixtures/legacy, made by make.ts) opens with
 * today's code. Its chain verifies, `xp status` shows the looks and the alpha spent the
 * old code showed, reads change nothing, and the first build migrates it and takes the
 * next look on new data.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { openDb } from '../../src/engine/connection.ts';
import { embeddedState } from '../../src/state/embedded/store.ts';
import { STATE_VERSION, stateVersion } from '../../src/state/migrations.ts';
import { writeDay } from '../fixtures/legacy/make.ts';
import { legacyExpected, legacyProject, xp } from './helpers.ts';

const expected = legacyExpected();

async function versionOf(root: string): Promise<{ version: number; rows: unknown[] }> {
  const db = await openDb(`${root}/target/warehouse.duckdb`, { readOnly: true });
  try {
    const version = await stateVersion(embeddedState(db));
    const rows = version ? await db.all('select version, name from xp.state_version order by version') : [];
    return { version, rows };
  } finally {
    db.close();
  }
}

describe(`the legacy warehouse (made with ${expected.madeWith.slice(0, 10)})`, () => {
  let root: string;
  beforeAll(() => {
    root = legacyProject();
  });

  it('has 2 sequential looks with alpha spent, and no state version', async () => {
    expect(expected.status.state.looks).toHaveLength(2);
    expect(expected.status.state.alphaSpent).toBeGreaterThan(0.005);
    expect((await versionOf(root)).version).toBe(0);
  });

  it('xp ledger verify passes, as it did with the old code', async () => {
    const r = await xp(root, ['ledger', 'verify']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(expected.verify);
  });

  it('xp status shows the same looks, alpha spent and chain', async () => {
    const r = await xp(root, ['status', 'exp_a', '--format', 'json']);
    expect(r.code, r.stderr).toBe(0);
    const now = (JSON.parse(r.stdout) as { state: typeof expected.status.state }).state;
    expect(now.looks).toEqual(expected.status.state.looks);
    expect(now.alphaSpent).toBe(expected.status.state.alphaSpent);
    expect(now.seq).toBe(expected.status.state.seq);
    expect(now.head).toBe(expected.status.state.head);
    expect(now.status).toBe('running');
    const list = await xp(root, ['status']);
    expect(list.stdout.split('\n').find((l) => l.startsWith('exp_a'))).toBe(expected.statusList.split('\n').find((l) => l.startsWith('exp_a')));
  });

  it('reading migrates nothing', async () => {
    expect((await versionOf(root)).version).toBe(0);
  });

  it('the first build migrates the state, succeeds and takes look 3 on new data', async () => {
    await writeDay(root, 3);
    const b = await xp(root, ['build', '--select', 'exp_a']);
    expect(b.code, b.stdout + b.stderr).toBe(0);
    expect(await versionOf(root)).toEqual({
      version: STATE_VERSION,
      rows: [{ version: 1, name: 'ledger and heads' }, { version: 2, name: 'partition catalog and runs' }, { version: 3, name: 'moves' }, { version: 4, name: 'ledger actor' }, { version: 5, name: 'ledger signatures' }],
    });
    const r = await xp(root, ['status', 'exp_a', '--format', 'json']);
    const now = (JSON.parse(r.stdout) as { state: typeof expected.status.state }).state;
    expect(now.looks).toHaveLength(3);
    expect(now.looks.slice(0, 2)).toEqual(expected.status.state.looks);
    expect(now.looks[2]).toMatchObject({ look: 3, informationFraction: 80 / 120 });
    expect(now.alphaSpent).toBeGreaterThan(expected.status.state.alphaSpent);
    const v = await xp(root, ['ledger', 'verify']);
    expect(v.code, v.stdout + v.stderr).toBe(0);
    expect(v.stdout).toMatch(/^ok {6}exp_a: \d+ events/);
  });
});
