/**
 * Sequential looks across restarts: an experiment run as daily builds on growing raw data,
 * each build a new process, takes one look per new input snapshot and none when the same
 * snapshot is built again (even with --full-refresh) or while paused; its looks,
 * boundaries and decisions equal those of the same days built in one process.
 */
import { describe, expect, it } from 'vitest';
import { statusCommand } from '../../src/cli/commands/status.ts';
import { experimentCommand } from '../../src/cli/commands/experiment.ts';
import { previousLooks, recordLook, lookContext } from '../../src/ledger/looks.ts';
import { openDb } from '../../src/engine/connection.ts';
import type { ExperimentState } from '../../src/ledger/fold.ts';
import { addSequentialProbe, build, lookValues, makeProject, project, tableHashes, warehouse, writeRaw, xp } from './helpers.ts';

const DAY = (d: number): Date => new Date(Date.UTC(2026, 0, 5 + d, 6));
const day = (root: string, d: number): Promise<string> => writeRaw(root, 'exp_a', d, d * 30, (d + 1) * 30, DAY(d));

async function state(root: string): Promise<ExperimentState> {
  return (await statusCommand(await project(root), { experimentId: 'exp_a' })).experiments[0]!.state;
}

type Step = { readonly op: 'day'; readonly d: number } | { readonly op: 'build'; readonly args?: readonly string[] } | { readonly op: 'start' | 'pause' | 'resume' };

const SCHEDULE: readonly Step[] = [
  { op: 'day', d: 0 }, { op: 'build' },                 // draft: no look
  { op: 'start' },
  { op: 'day', d: 1 }, { op: 'build' },                 // look 1
  { op: 'build' },                                       // same snapshot: none
  { op: 'day', d: 2 }, { op: 'build' },                 // look 2
  { op: 'build', args: ['--full-refresh'] },             // same snapshot, plugin re-runs: none
  { op: 'pause' },
  { op: 'day', d: 3 }, { op: 'build' },                 // paused: none
  { op: 'resume' },
  { op: 'day', d: 4 }, { op: 'build' },                 // look 3
  { op: 'day', d: 5 }, { op: 'build' },                 // look 4
];

describe('daily builds with a restart between each', () => {
  it('take one look per new snapshot, the same as one uninterrupted process', { timeout: 400_000 }, async () => {
    const restarted = makeProject('xp-looks-r-');
    const uninterrupted = makeProject('xp-looks-u-');
    addSequentialProbe(restarted);
    addSequentialProbe(uninterrupted);
    const counts: number[] = [];
    for (const step of SCHEDULE) {
      if (step.op === 'day') {
        await day(restarted, step.d);
        await day(uninterrupted, step.d);
      } else if (step.op === 'build') {
        const r = await xp(restarted, ['build', '--select', 'exp_a', ...(step.args ?? [])]);
        expect(r.code, r.stderr).toBe(0);
        const u = await build(uninterrupted, { fullRefresh: step.args?.includes('--full-refresh') });
        expect(u.status).toBe('success');
        counts.push((await state(restarted)).looks.length);
      } else {
        expect((await xp(restarted, ['experiment', step.op, 'exp_a'])).code).toBe(0);
        await experimentCommand(await project(uninterrupted), step.op, 'exp_a');
      }
    }
    expect(counts).toEqual([0, 1, 1, 2, 2, 2, 3, 4]);
    const [r, u] = [await state(restarted), await state(uninterrupted)];
    expect(new Set(r.looks.map((l) => l.inputHash)).size).toBe(4);
    expect(r.looks.map((l) => l.informationFraction)).toEqual([0.25, 0.375, 0.625, 0.75]);
    for (const [i, l] of r.looks.entries()) {
      expect(l.look).toBe(i + 1);
      expect(l.alphaSpent).toBeGreaterThan(i ? r.looks[i - 1]!.alphaSpent : 0);
    }
    expect(lookValues(r.looks)).toEqual(lookValues(u.looks));
    expect(r.alphaSpent).toBe(u.alphaSpent);
    expect(await tableHashes(restarted)).toEqual(await tableHashes(uninterrupted));
  });
});

describe('the looks API', () => {
  it('records only while running, once per input snapshot, and reads back in order', async () => {
    const root = makeProject();
    await writeRaw(root, 'exp_a', 0, 0, 20);
    await build(root);
    const db = await openDb(warehouse(root));
    try {
      const look = { informationFraction: 0.5, z: 1, boundary: 2.8, alphaSpent: 0.005, decision: 'continue' };
      expect(await recordLook(db, 'exp_a', look)).toEqual({ recorded: false, reason: 'not-running', status: 'draft' });
    } finally {
      db.close();
    }
    await experimentCommand(await project(root), 'start', 'exp_a');
    const db2 = await openDb(warehouse(root));
    try {
      const ctx = await lookContext(db2, 'exp_a');
      expect(ctx).toMatchObject({ status: 'running', canLook: true, looks: [], alphaSpent: 0 });
      expect(ctx.inputHash).toMatch(/^[0-9a-f]{64}$/);
      const first = await recordLook(db2, 'exp_a', { informationFraction: 0.5, z: 1, boundary: 2.8, alphaSpent: 0.005, decision: 'continue' });
      expect(first).toMatchObject({ recorded: true, look: { look: 1, inputHash: ctx.inputHash } });
      const again = await recordLook(db2, 'exp_a', { informationFraction: 0.6, z: 1, boundary: 2.8, alphaSpent: 0.01, decision: 'continue' });
      expect(again).toMatchObject({ recorded: false, reason: 'same-input', look: { look: 1, informationFraction: 0.5 } });
      await recordLook(db2, 'exp_a', { informationFraction: 0.8, z: 2.5, boundary: 2.4, alphaSpent: 0.02, decision: 'stop-efficacy', inputHash: 'other' });
      expect((await previousLooks(db2, 'exp_a')).map((l) => [l.look, l.informationFraction])).toEqual([[1, 0.5], [2, 0.8]]);
      expect((await lookContext(db2, 'exp_a')).currentLook?.look).toBe(1);
    } finally {
      db2.close();
    }
  });
});
