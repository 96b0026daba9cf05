/**
 * Each fault the generator can inject is caught by the checks: one experiment per fault
 * (plus a clean baseline) in a temp copy of the shipped project, small populations, only
 * the data-quality and SRM stages.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shippedProject } from '../helpers/shipped.ts';
import { xp } from '../helpers/cli.ts';
import { rows } from '../helpers/warehouse.ts';
import type { TempProject } from '../helpers/project.ts';

const FAULTS = {
  fault_none: '',
  fault_srm_skew: 'srm_skew: 0.06',
  fault_duplicate_rate: 'duplicate_rate: 0.03',
  fault_missing_key_rate: 'missing_key_rate: 0.03',
  fault_late_event_rate: 'late_event_rate: 0.06',
  fault_multi_variant_rate: 'multi_variant_rate: 0.03',
} as const;
type Fault = keyof typeof FAULTS;

const experimentYaml = (id: string, fault: string, seed: number): string => `id: ${id}
name: ${id}
variants: { control: 0.5, treatment: 0.5 }
primary_metric: conversion
start: 2026-04-06
days: 14
pre_period_days: 7
synth:
  seed: ${seed}
  n_users: 3000
  exposure_rate: 0.9
  base_conversion: 0.1
${fault ? `  ${fault}\n` : ''}`;

const SKIP_ANALYSES = ['--skip-ab', '--skip-cuped', '--skip-did', '--skip-pretrends', '--skip-sequential', '--skip-decision', '--skip-memo'];

let p: TempProject;
let build: { code: number; stdout: string; stderr: string };
let dq: Map<string, Map<string, { status: string; observed: number }>>;

beforeAll(async () => {
  p = shippedProject();
  Object.keys(FAULTS).forEach((id, i) => p.write(`configs/experiments/${id}.yml`, experimentYaml(id, FAULTS[id as Fault], 900 + i)));
  build = await xp(p.root, 'build', '--select', 'fault_*', '--generate-synth', ...SKIP_ANALYSES);
  const all = await rows<{ experiment_id: string; check_name: string; status: string; observed: number }>(
    p.file('target/warehouse.duckdb'), 'select experiment_id, check_name, status, observed from exp.dq_results',
  );
  dq = new Map();
  for (const r of all) {
    if (!dq.has(r.experiment_id)) dq.set(r.experiment_id, new Map());
    dq.get(r.experiment_id)!.set(r.check_name, { status: r.status, observed: r.observed });
  }
});
afterAll(() => p.remove());

/** check name → status for the checks that did not pass */
const notPassing = (id: Fault): Record<string, string> =>
  Object.fromEntries([...(dq.get(id) ?? new Map()).entries()].filter(([, v]) => v.status !== 'pass').map(([k, v]) => [k, v.status]));

async function srm(id: Fault): Promise<{ mismatch: boolean; p_value: number; control_share: number }> {
  const [r] = await rows<{ mismatch: boolean; p_value: number }>(p.file('target/warehouse.duckdb'),
    `select mismatch, p_value from exp.srm_results where experiment_id = '${id}' and grain = 'overall'`);
  const [c] = await rows<{ observed_share: number }>(p.file('target/warehouse.duckdb'),
    `select observed_share from exp.srm_counts where experiment_id = '${id}' and grain = 'overall' and variant = 'control'`);
  return { ...r!, control_share: c!.observed_share };
}

describe('injected faults', () => {
  it('every fault experiment builds its checks', () => {
    expect(build.stderr).toBe('');
    // nine raw-data checks, metric_events_conversion (the primary's event occurs) and
    // raw_foreign_experiment_rows
    for (const id of Object.keys(FAULTS)) expect(dq.get(id)?.size, id).toBe(11);
  });

  it('the clean baseline passes every check and shows no sample-ratio mismatch', async () => {
    expect(notPassing('fault_none')).toEqual({});
    expect((await srm('fault_none')).mismatch).toBe(false);
  });

  it('srm_skew is caught by srm_counts and the SRM test', async () => {
    const s = await srm('fault_srm_skew');
    expect(s.mismatch).toBe(true);
    expect(s.p_value).toBeLessThan(0.001);
    expect(Math.abs(s.control_share - 0.5)).toBeGreaterThan(0.03);
    expect(notPassing('fault_srm_skew')).toEqual({});
  });

  it('duplicate_rate is caught by the duplicate-row checks', () => {
    expect(notPassing('fault_duplicate_rate')).toEqual({ exposures_duplicate_rows: 'warn', outcomes_duplicate_rows: 'warn' });
    const observed = dq.get('fault_duplicate_rate')!.get('outcomes_duplicate_rows')!.observed;
    expect(observed).toBeGreaterThan(0.015);
    expect(observed).toBeLessThan(0.045);
  });

  it('missing_key_rate is caught by the missing user_id checks (severity error)', () => {
    expect(notPassing('fault_missing_key_rate')).toEqual({ exposures_missing_user_id: 'fail', outcomes_missing_user_id: 'fail' });
  });

  it('late_event_rate is caught by the outside-window check', () => {
    expect(notPassing('fault_late_event_rate')).toEqual({ outcomes_outside_window: 'warn' });
  });

  it('multi_variant_rate is caught by the multi-variant users check', () => {
    expect(notPassing('fault_multi_variant_rate')).toEqual({ multi_variant_users: 'fail' });
  });
});
