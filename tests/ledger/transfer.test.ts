/**
 * Export → import → resume: an experiment moved to a second warehouse has the same state
 * there, a build there continues it (no second look on the same snapshot, the next look
 * on new data), a diverging history is refused, a damaged export imports nothing.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { statusCommand } from '../../src/cli/commands/status.ts';
import { exportCommand, importCommand } from '../../src/cli/commands/ledger.ts';
import { experimentCommand } from '../../src/cli/commands/experiment.ts';
import type { ExperimentState } from '../../src/ledger/fold.ts';
import { addSequentialProbe, build, files, lookValues, makeProject, project, tableHashes, writeRaw, xp } from './helpers.ts';

const DAY = (d: number): Date => new Date(Date.UTC(2026, 0, 5 + d, 6));

async function state(root: string): Promise<ExperimentState> {
  return (await statusCommand(await project(root), { experimentId: 'exp_a' })).experiments[0]!.state;
}

async function day(root: string, d: number): Promise<void> {
  await writeRaw(root, 'exp_a', d, d * 40, (d + 1) * 40, DAY(d));
}

describe('export → import → resume on a second warehouse', () => {
  let a: string;
  let b: string;
  let exported: ExperimentState;

  beforeAll(async () => {
    a = makeProject();
    addSequentialProbe(a);
    await day(a, 0);
    await build(a);
    await experimentCommand(await project(a), 'start', 'exp_a');
    await day(a, 1);
    await build(a);
    exported = await state(a);
    await exportCommand(await project(a), 'exp_a', path.join(a, 'out/exp_a.parquet'));
    await exportCommand(await project(a), 'exp_a', path.join(a, 'out/exp_a.jsonl'));
    b = makeProject();
    addSequentialProbe(b);
    await day(b, 0);
    await day(b, 1);
  });

  it('exports whole chains in both formats', () => {
    expect(exported.looks).toHaveLength(1);
    expect(files(path.join(a, 'out'))).toEqual(['exp_a.jsonl', 'exp_a.parquet']);
    const lines = readFileSync(path.join(a, 'out/exp_a.jsonl'), 'utf8').trim().split('\n');
    expect(lines).toHaveLength(exported.seq);
    expect(JSON.parse(lines[0]!)).toMatchObject({ seq: 1, experiment_id: 'exp_a', kind: 'registered', prev_hash: '' });
  });

  it('imports into a new warehouse with the same state', async () => {
    const r = await importCommand(await project(b), path.join(a, 'out/exp_a.parquet'));
    expect(r).toEqual([{ experimentId: 'exp_a', action: 'imported', events: exported.seq, added: exported.seq }]);
    expect(await state(b)).toEqual(exported);
    const again = await xp(b, ['ledger', 'import', path.join(a, 'out/exp_a.jsonl')]);
    expect(again.code).toBe(0);
    expect(again.stdout).toBe(`up-to-date exp_a: ${exported.seq} events (0 added)\n`);
  });

  it('a build there continues: the same snapshot takes no new look, the tables equal the source', async () => {
    const out = await build(b);
    expect(out.status).toBe('success');
    const s = await state(b);
    expect(s.looks).toEqual(exported.looks);
    expect(s.status).toBe('running');
    expect(s.builds.started).toBe(exported.builds.started + 1);
    expect(await tableHashes(b)).toEqual(await tableHashes(a));
  });

  it('new data takes the same next look on both warehouses', async () => {
    await day(a, 2);
    await day(b, 2);
    await build(a);
    await build(b);
    const [sa, sb] = [await state(a), await state(b)];
    expect(sa.looks).toHaveLength(2);
    expect(lookValues(sb.looks)).toEqual(lookValues(sa.looks));
    expect(sb.alphaSpent).toBe(sa.alphaSpent);
    expect(await tableHashes(b)).toEqual(await tableHashes(a));
  });

  it('refuses a history that diverged after the export, and changes nothing', async () => {
    await exportCommand(await project(a), 'exp_a', path.join(a, 'out/later.jsonl'));
    const before = await state(b);
    const r = await xp(b, ['ledger', 'import', path.join(a, 'out/later.jsonl')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`error\\[LEDGER_CORRUPT\\] experiment exp_a: the history of exp_a in the file diverges from this warehouse's at seq ${exported.seq + 1}; refusing to overwrite it`));
    expect(await state(b)).toEqual(before);
  });

  it('extends a warehouse that holds an older copy of the same history', async () => {
    const c = makeProject();
    await importCommand(await project(c), path.join(a, 'out/exp_a.jsonl'));
    const r = await importCommand(await project(c), path.join(a, 'out/later.jsonl'));
    expect(r[0]).toMatchObject({ action: 'extended' });
    expect(await state(c)).toEqual(await state(a));
  });

  it('imports nothing from a damaged export', async () => {
    const file = path.join(a, 'out/damaged.jsonl');
    const lines = readFileSync(path.join(a, 'out/exp_a.jsonl'), 'utf8').trim().split('\n');
    lines[4] = lines[4]!.replace('"kind":"', '"kind":"x');
    writeFileSync(file, lines.join('\n') + '\n');
    const c = makeProject();
    const r = await xp(c, ['ledger', 'import', file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/error\[LEDGER_CORRUPT\] .*damaged.jsonl · experiment exp_a: .*the chain of exp_a is broken at seq 5/);
    const s = await xp(c, ['status', 'exp_a', '--format', 'json']);
    expect(JSON.parse(s.stdout).state.registered).toBe(false);
  });
});
