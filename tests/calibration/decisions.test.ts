/**
 * Calibration of the decision rules through the real pipeline (issue: trustworthy
 * decisions). Seeded A/A experiments and experiments with a planted conversion lift are
 * generated, built by the real models and plugins in one `xp build`, and the decision
 * rates are checked against the error rates docs/statistics.md#decision-rules states.
 *
 * Monte Carlo bounds: a rate p over N independent experiments has sd sqrt(p(1−p)/N);
 * every tolerance below is the stated rate plus 3 sd (a test of the rule, not of luck:
 * a correct rule fails it with probability ≈ 0.1%, and the seeds are fixed, so the run is
 * deterministic). No wall-clock assertions.
 */
import { rmSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadProject } from '../../src/runner/load-project.ts';
import { runBuild } from '../../src/runner/run-build.ts';
import { warehousePath } from '../../src/core/paths.ts';
import { plantedTruth } from '../../src/synth/index.ts';
import { copyProject, REPO_ROOT } from '../helpers/project.ts';
import { rows } from '../helpers/warehouse.ts';

const N_AA = 120;
const N_EFFECT = 60;
/** ≈ 2,000 exposed users per arm, as the measurements */
const USERS = 4000;
/** +30% relative lift of the conversion rate: ≈ 85% power at 2,000 users per arm (raw test) */
const LIFT = 0.3;
const ALPHA = 0.05;

const mc = (p: number, n: number): number => 3 * Math.sqrt((p * (1 - p)) / n);

function experimentYaml(id: string, seed: number, lift: number): string {
  return `  ${id}:
    name: calibration ${id}
    variants: { control: 0.5, treatment: 0.5 }
    primary_metric: conversion
    secondary_metrics: [revenue]
    guardrails: [bounce_rate]
    start: 2026-01-05
    days: 14
    pre_period_days: 14
    synth: { seed: ${seed}, n_users: ${USERS}, exposure_rate: 1, base_conversion: 0.10, effect_lift_conversion: ${lift} }
`;
}

interface Outcome extends Record<string, unknown> {
  readonly experiment_id: string;
  readonly decision: string;
  readonly rule: string;
}
interface Primary extends Record<string, unknown> {
  readonly experiment_id: string;
  readonly significant: boolean | null;
  readonly relative_ci_lower: number | null;
  readonly relative_ci_upper: number | null;
}

describe('decision calibration through the pipeline', () => {
  it(`A/A (${N_AA}) and a planted +30% lift (${N_EFFECT}): decision rates at their stated error rates`, async () => {
    const p = copyProject(REPO_ROOT, { only: ['configs', 'models', 'macros', 'analyses', 'seeds'], prefix: 'calibration' });
    const base = p.read('configs/dev.yaml').split('\nexperiments:\n')[0]!;
    const ids: string[] = [];
    let yaml = '';
    for (let i = 0; i < N_AA; i++) { const id = `aa_${String(i).padStart(3, '0')}`; ids.push(id); yaml += experimentYaml(id, 10_000 + i, 0); }
    for (let i = 0; i < N_EFFECT; i++) { const id = `fx_${String(i).padStart(3, '0')}`; ids.push(id); yaml += experimentYaml(id, 20_000 + i, LIFT); }
    p.write('configs/dev.yaml', `${base}\nexperiments:\n${yaml}`);
    rmSync(p.file('configs/experiments'), { recursive: true, force: true });
    const project = await loadProject('configs/dev.yaml', p.root);
    const outcome = await runBuild(project, { select: 'aa_*,fx_*', generateSynth: true, skip: new Set(['memo', 'did', 'pretrends']) });
    expect(outcome.results.filter((r) => r.status === 'error')).toEqual([]);

    const wh = warehousePath(project.config);
    const decisions = await rows<Outcome>(wh, 'select experiment_id, decision, rule from exp.decisions order by experiment_id');
    const primary = await rows<Primary>(wh, "select experiment_id, significant, relative_ci_lower, relative_ci_upper from exp.analysis_results where metric = 'conversion' order by experiment_id");
    expect(decisions).toHaveLength(N_AA + N_EFFECT);
    const rate = (group: string, d: string): number =>
      decisions.filter((r) => r.experiment_id.startsWith(group) && r.decision === d).length / (group === 'aa' ? N_AA : N_EFFECT);

    // A/A: ship ≤ α/2, dont-ship ≤ α/2 (primary) + α/2 (guardrails), the rest no-detectable-effect
    expect(rate('aa', 'ship')).toBeLessThanOrEqual(ALPHA / 2 + mc(ALPHA / 2, N_AA));
    expect(rate('aa', 'dont-ship')).toBeLessThanOrEqual(ALPHA + mc(ALPHA, N_AA));
    expect(rate('aa', 'investigate')).toBeLessThanOrEqual(mc(0.01, N_AA));
    expect(rate('aa', 'no-detectable-effect') + rate('aa', 'keep-running')).toBeGreaterThanOrEqual(1 - 1.5 * ALPHA - mc(1.5 * ALPHA, N_AA));
    // the primary's two-sided false-positive rate is α
    const aaPrimary = primary.filter((r) => r.experiment_id.startsWith('aa'));
    const fpr = aaPrimary.filter((r) => r.significant === true).length / N_AA;
    expect(fpr).toBeLessThanOrEqual(ALPHA + mc(ALPHA, N_AA));

    // planted lift: ship at about the test's power (≥ 85% for the raw test, CUPED adds more)
    expect(rate('fx', 'ship')).toBeGreaterThanOrEqual(0.85 - mc(0.85, N_EFFECT));
    expect(rate('fx', 'dont-ship')).toBeLessThanOrEqual(ALPHA / 2 + mc(ALPHA / 2, N_EFFECT));

    // 95% CIs of the relative lift cover the planted truth (A/A: 0)
    const truth = plantedTruth(project.config.experiments.find((e) => e.id === 'fx_000')!);
    const conversion = truth.metrics.find((t) => t.metric === 'conversion');
    const liftOf = conversion?.status === 'ok' ? conversion.treatments[0]!.relativeLift ?? 0 : 0;
    expect(liftOf).toBeCloseTo(LIFT, 6);
    const covers = (r: Primary, x: number): boolean => r.relative_ci_lower !== null && r.relative_ci_upper !== null && r.relative_ci_lower <= x && x <= r.relative_ci_upper;
    const fxPrimary = primary.filter((r) => r.experiment_id.startsWith('fx'));
    const coverage = (aaPrimary.filter((r) => covers(r, 0)).length + fxPrimary.filter((r) => covers(r, liftOf)).length) / (N_AA + N_EFFECT);
    expect(coverage).toBeGreaterThanOrEqual(1 - ALPHA - mc(ALPHA, N_AA + N_EFFECT));
    // the measured rates, for the record (the assertions above are the test)
    console.info(`calibration: A/A ship ${rate('aa', 'ship')}, dont-ship ${rate('aa', 'dont-ship')}, no-detectable-effect ${rate('aa', 'no-detectable-effect')}, primary FPR ${fpr}; planted ship ${rate('fx', 'ship')}; coverage ${coverage}`);
    p.remove();
  }, 900_000);
});
