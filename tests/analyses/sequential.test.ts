/**
 * Sequential looks through real builds: a draft computes its look without recording it; a
 * running experiment records one look per input snapshot — rebuilding the same data (even
 * with --full-refresh) takes none, new data takes the next — with the boundary from the
 * earlier looks' information fractions, and the final look spending the rest of alpha.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TempProject } from '../helpers/project.ts';
import { xp } from '../helpers/cli.ts';
import { withDb } from '../helpers/warehouse.ts';
import { previousLooks } from '../../src/ledger/looks.ts';
import { groupSequentialBounds } from '../../src/stats/index.ts';
import { analysisProject, tableRows } from './support.ts';

const experiment = (id: string, synth: string): string => `  ${id}:
    name: Sequential ${id}
    variants: { control: 0.5, treatment: 0.5 }
    primary_metric: conversion
    guardrails: [bounce_rate]
    start: 2026-03-02
    days: 14
    pre_period_days: 7
    sequential: { looks: 3, spending: obrien_fleming, alpha: 0.05, target_n_per_arm: 2000 }
    synth: { seed: 21, exposure_rate: 1, base_conversion: 0.2, ${synth} }
`;

const config = (nUsers: number, days: number): string =>
  experiment('exp_seq', `n_users: ${nUsers}, days: ${days}`) + experiment('exp_draft', 'n_users: 2000, days: 7');

type R = Record<string, any>;
let p: TempProject;
const build = async (...args: string[]) => {
  const r = await xp(p.root, 'build', '--select', 'all', ...args);
  expect(r.code, r.stdout + r.stderr).toBe(0);
  return r;
};
const looks = () => withDb(p.file('target/warehouse.duckdb'), (db) => previousLooks(db, 'exp_seq'));
const current = async (id: string): Promise<R> => (await tableRows<R>(p, 'sequential_looks', id, 'look')).find((r) => r.is_current)!;

beforeAll(async () => {
  p = analysisProject(config(2000, 7), 'sequential');
  const started = await xp(p.root, 'experiment', 'start', 'exp_seq');
  expect(started.code, started.stderr).toBe(0);
});
afterAll(() => p.remove());

describe('sequential looks across builds', () => {
  it('a draft computes its look but records none; a running experiment records look 1', async () => {
    await build('--generate-synth');
    const draft = await current('exp_draft');
    expect(draft).toMatchObject({ look: 1, look_status: 'not-recorded', ledger_status: 'draft', window_complete: false });
    expect(draft.look_note).toMatch(/draft: the look is computed but not recorded/);
    expect(draft.boundary).toBeGreaterThan(2);

    const row = await current('exp_seq');
    expect(row).toMatchObject({ look: 1, look_status: 'recorded', ledger_status: 'running', is_final_look: false, planned_looks: 3, target_n_per_arm: 2000 });
    expect(row.information_fraction).toBeCloseTo(Math.min(row.control_n, row.treatment_n) / 2000, 12);
    expect(row.information_fraction).toBeGreaterThan(0.4);
    expect(row.information_fraction).toBeLessThan(0.6);
    const [expected] = groupSequentialBounds({ informationFractions: [row.information_fraction], alpha: 0.05, sided: 2, spending: 'obrien-fleming' }).zBounds;
    expect(row.boundary).toBeCloseTo(expected!, 10);
    // one guardrail × one treatment: the guardrails' harm boundary spends the same alpha
    expect(row.guardrail_boundary).toBeCloseTo(expected!, 10);
    expect(row.decision).toBe(Math.abs(row.z) >= row.boundary ? 'stop-efficacy' : 'continue');
    expect(row.next_information_fraction).toBeCloseTo(2 / 3, 12);
    expect(row.next_boundary).toBeGreaterThan(1.96);
    expect(row.always_valid_status).toBe('ok');
    expect(row.always_valid_p_value).toBeGreaterThan(0);

    const recorded = await looks();
    expect(recorded).toHaveLength(1);
    expect(recorded[0]).toMatchObject({ look: 1, decision: row.decision });
    expect(recorded[0]!.informationFraction).toBeCloseTo(row.information_fraction, 12);
    expect(recorded[0]!.z).toBeCloseTo(row.z, 12);
  });

  it('rebuilding the same data takes no new look, with or without --full-refresh', async () => {
    await build();
    await build('--full-refresh');
    expect(await looks()).toHaveLength(1);
    const row = await current('exp_seq');
    expect(row).toMatchObject({ look: 1, look_status: 'already-recorded' });
    expect(row.look_note).toMatch(/took look 1 already/);
  });

  it('new data takes the next look; the window\'s end makes it final and spends the rest of alpha', async () => {
    p.write('configs/dev.yaml', p.read('configs/dev.yaml').replace(config(2000, 7), config(4000, 14)));
    await build('--generate-synth', '--accept-input-change');
    const recorded = await looks();
    expect(recorded.map((l) => l.look)).toEqual([1, 2]);
    const rows = await tableRows<R>(p, 'sequential_looks', 'exp_seq', 'look');
    expect(rows.map((r) => [r.look, r.look_status, r.is_current])).toEqual([[1, 'history', false], [2, 'recorded', true]]);
    const row = rows[1]!;
    expect(row).toMatchObject({ is_final_look: true, window_complete: true, next_information_fraction: null, next_boundary: null });
    expect(row.information_fraction).toBeGreaterThan(0.9);
    const bounds = groupSequentialBounds({ informationFractions: [recorded[0]!.informationFraction, 1], alpha: 0.05, sided: 2, spending: 'obrien-fleming' });
    expect(row.boundary).toBeCloseTo(bounds.zBounds[1]!, 10);
    expect(row.guardrail_boundary).toBeCloseTo(bounds.zBounds[1]!, 10);
    expect(row.alpha_spent).toBeCloseTo(0.05, 12);
    expect(['stop-efficacy', 'stop-harm', 'final-no-effect']).toContain(row.decision);
    expect(rows[0]!.boundary).toBeCloseTo(recorded[0]!.boundary!, 12);

    // the decision reads the final look
    const [decision] = await tableRows<R>(p, 'decisions', 'exp_seq');
    expect(decision).toMatchObject({ sequential: true, look: 2, planned_looks: 3, is_final: true });
    expect(['ship', 'dont-ship', 'no-detectable-effect']).toContain(decision!.decision);
  });

  it('after the final look, more builds take no look', async () => {
    await build('--full-refresh');
    expect(await looks()).toHaveLength(2);
  });
});
