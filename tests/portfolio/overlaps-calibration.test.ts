/**
 * xp overlaps end to end: seeded synthetic pairs of experiments on the same users, built by
 * the real models, then the overlap analysis over the warehouse. Independent assignment
 * (every pair's arms drawn from unrelated streams, no interaction): each pair, tested as
 * its own family, is flagged for a dependent assignment and for an interaction at rate
 * alpha. A planted interaction (synth.interaction) is detected, flagged in both
 * experiments' `xp health`, and a layer whose experiments share users is critical there.
 *
 * Monte Carlo bounds: a rate p over N independent pairs has sd sqrt(p(1−p)/N); each
 * tolerance is 3 sd (the seeds are fixed, so the run is deterministic).
 */
import { rmSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadProject } from '../../src/runner/load-project.ts';
import { runBuild } from '../../src/runner/run-build.ts';
import { withLedgerRead } from '../../src/ledger/open.ts';
import { overlapsIn } from '../../src/portfolio/run-overlaps.ts';
import { healthCommand } from '../../src/health/run-health.ts';
import { isoDay, dayNumber } from '../../src/project/windows.ts';
import { copyProject, REPO_ROOT } from '../helpers/project.ts';
import type { PairReport } from '../../src/portfolio/types.ts';

const N_PAIRS = 100;
const USERS = 1500;
const ALPHA = 0.05;
const mc = (p: number, n: number): number => 3 * Math.sqrt((p * (1 - p)) / n);

function yaml(id: string, start: string, seed: number, offset: number, extra = ''): string {
  return `  ${id}:
    name: ${id}
    variants: { control: 0.5, treatment: 0.5 }
    primary_metric: conversion
    start: ${start}
    days: 7
${extra}    synth: { seed: ${seed}, n_users: ${USERS}, user_offset: ${offset}, exposure_rate: 1, base_conversion: 0.10, effect_lift_conversion: 0.3ROLE }
`;
}

describe('xp overlaps through the pipeline', () => {
  it(`independent pairs (${N_PAIRS}) flag at alpha; a planted interaction and a broken layer are caught`, async () => {
    const p = copyProject(REPO_ROOT, { only: ['configs', 'models', 'macros', 'analyses', 'seeds'], prefix: 'overlaps' });
    const base = p.read('configs/dev.yaml').split('\nexperiments:\n')[0]!;
    let body = '';
    const first = dayNumber('2026-01-01');
    for (let k = 0; k < N_PAIRS; k++) {
      // pair k: its own users (offset) and its own week, so pairs never meet
      const start = isoDay(first + 10 * k);
      body += yaml(`a_${String(k).padStart(3, '0')}`, start, 1000 + k, k * USERS).replace('ROLE', '');
      body += yaml(`b_${String(k).padStart(3, '0')}`, isoDay(first + 10 * k + 2), 5000 + k, k * USERS).replace('ROLE', '');
    }
    const late = isoDay(first + 10 * N_PAIRS + 10);
    const offset = (N_PAIRS + 1) * USERS;
    body += yaml('ix_a', late, 77, offset).replace('ROLE', '');
    body += yaml('ix_b', late, 78, offset).replace('ROLE', ', interaction: { with: ix_a, variant: treatment, lift_conversion: -0.8 }');
    // a layer whose two experiments draw the same users: mutual exclusion broken in the data
    const layerDay = isoDay(first + 10 * N_PAIRS + 30);
    body += yaml('ly_a', layerDay, 91, offset + USERS, '    layer: checkout_flow\n    traffic: 0.5\n').replace('ROLE', '');
    body += yaml('ly_b', layerDay, 92, offset + USERS, '    layer: checkout_flow\n    traffic: 0.5\n').replace('ROLE', '');
    p.write('configs/dev.yaml', `${base}\nexperiments:\n${body}`);
    rmSync(p.file('configs/experiments'), { recursive: true, force: true });
    const project = await loadProject('configs/dev.yaml', p.root);
    const outcome = await runBuild(project, { select: 'all', generateSynth: true, skip: new Set(['memo', 'did', 'pretrends', 'cuped', 'sequential', 'decision', 'ab', 'srm', 'slices', 'srm_debug']) });
    expect(outcome.results.filter((r) => r.status === 'error')).toEqual([]);

    const pairs: PairReport[] = await withLedgerRead(project.config, async (db) => {
      const out: PairReport[] = [];
      for (let k = 0; k < N_PAIRS; k++) {
        const r = await overlapsIn(db, project.config, { select: `a_${String(k).padStart(3, '0')}` });
        expect(r.pairs).toHaveLength(1);
        out.push(r.pairs[0]!);
      }
      return out;
    });
    // every user of a pair is in both experiments of the pair
    expect(pairs.every((q) => q.usersBoth === USERS && q.shareOfA === 1 && q.shareOfB === 1)).toBe(true);
    // one interaction test per experiment's primary (each on its own partition's outcomes)
    expect(pairs.every((q) => q.independence?.status === 'ok' && q.interactions.length === 2 && q.interactions.every((f) => f.result?.status === 'ok'))).toBe(true);
    const rate = (flag: string): number => pairs.filter((q) => q.flags.includes(flag as never)).length / N_PAIRS;
    console.info(`overlap calibration: ${N_PAIRS} independent pairs, dependent_assignment flagged ${rate('dependent_assignment')}, interaction flagged ${rate('interaction')} (alpha ${ALPHA}, bound ${(ALPHA + mc(ALPHA, N_PAIRS)).toFixed(3)})`);
    expect(rate('dependent_assignment')).toBeLessThanOrEqual(ALPHA + mc(ALPHA, N_PAIRS));
    expect(rate('interaction')).toBeLessThanOrEqual(ALPHA + mc(ALPHA, N_PAIRS));
    // the p-values are uniform, not stuck at 1: at least some pairs below 0.5
    const below = pairs.filter((q) => q.interactions[0]!.result?.status === 'ok' && q.interactions[0]!.result.pValue < 0.5).length / N_PAIRS;
    expect(Math.abs(below - 0.5)).toBeLessThanOrEqual(mc(0.5, N_PAIRS));

    const all = await withLedgerRead(project.config, (db) => overlapsIn(db, project.config, { select: 'ix_a,ly_a' }));
    const ix = all.pairs.find((q) => q.a === 'ix_a' && q.b === 'ix_b')!;
    expect(ix.flags).toEqual(['interaction']);
    // planted in ix_b's outcomes: its test flags, ix_a's (no interaction in its data) does not
    const inB = ix.interactions.find((f) => f.experimentId === 'ix_b')!;
    const inA = ix.interactions.find((f) => f.experimentId === 'ix_a')!;
    expect(inB.result).toMatchObject({ status: 'ok', df: 1 });
    expect(inB.adjustedP!).toBeLessThan(ALPHA);
    expect(inA.adjustedP!).toBeGreaterThan(ALPHA);
    // the planted difference of effects: −0.8 × 0.13 ≈ −0.104 (B's effect among A's treatment minus among A's control)
    const r0 = inB.result;
    const est = r0?.status === 'ok' ? r0.estimate! : NaN;
    expect(est).toBeLessThan(-0.05);
    const ly = all.pairs.find((q) => q.a === 'ly_a' && q.b === 'ly_b')!;
    expect(ly.layer).toBe('checkout_flow');
    expect(ly.flags).toEqual(['layer_violation']);

    const health = await healthCommand(project, { select: 'ix_a,ix_b,ly_a,ly_b', asOf: '2030-01-01' });
    const check = (id: string, name: string) => health.experiments.find((e) => e.experimentId === id)!.checks.find((c) => c.check === name);
    expect(check('ix_a', 'overlaps')).toMatchObject({ status: 'warn' });
    expect(check('ix_b', 'overlaps')?.detail).toMatch(/ix_a × ix_b interact on conversion/);
    expect(check('ly_a', 'layer')).toMatchObject({ status: 'critical', value: `${USERS} with ly_b` });
    expect(health.critical).toBe(true);
    p.remove();
  }, 900_000);
});
