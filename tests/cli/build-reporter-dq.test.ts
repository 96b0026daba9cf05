/**
 * The shipped project with injected faults (as tests/runner/shipped-faults.test.ts):
 * after a partition's dq_results is built, a WARN line per check that warned and a FAIL
 * line per error-severity check that failed, which does not fail the build; and
 * `--generate-synth` reports each experiment's generation at its start and end.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shippedProject } from '../helpers/shipped.ts';
import { xp, type CliResult } from '../helpers/cli.ts';
import { rows } from '../helpers/warehouse.ts';
import type { TempProject } from '../helpers/project.ts';

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
  ${fault}
`;

const SKIP_ANALYSES = ['--skip-ab', '--skip-cuped', '--skip-did', '--skip-pretrends', '--skip-sequential', '--skip-memo'];

let p: TempProject;
let build: CliResult;
let dq: { experiment_id: string; check_name: string; status: string; details: string }[];

beforeAll(async () => {
  p = shippedProject();
  p.write('configs/experiments/dq_duplicates.yml', experimentYaml('dq_duplicates', 'duplicate_rate: 0.01', 901));
  p.write('configs/experiments/dq_missing_keys.yml', experimentYaml('dq_missing_keys', 'missing_key_rate: 0.03', 902));
  build = await xp(p.root, 'build', '--select', 'dq_*', '--generate-synth', ...SKIP_ANALYSES);
  dq = await rows(p.file('target/warehouse.duckdb'), "select experiment_id, check_name, status, details from exp.dq_results where status <> 'pass' order by all");
});
afterAll(() => p.remove());

const lines = (text: string): string[] => text.split('\n');

describe('data-quality lines', () => {
  it('a WARN line per check that warned, with its details, right after the dq_results step', () => {
    expect(build.stderr).toBe('');
    const warned = dq.filter((r) => r.experiment_id === 'dq_duplicates');
    expect(warned.map((r) => [r.check_name, r.status])).toEqual([['exposures_duplicate_rows', 'warn'], ['outcomes_duplicate_rows', 'warn']]);
    const out = lines(build.stdout);
    const at = out.findIndex((l) => / OK {3}dq_duplicates dq_results /.test(l));
    expect(out.slice(at + 1, at + 3)).toEqual(warned.map((r) => `WARN dq_duplicates ${r.check_name}: ${r.details}`));
    expect(out[at + 3]).toMatch(/ OK {3}dq_duplicates srm_counts /);
  });

  it('a FAIL line per failed error-severity check, which says the decision is investigate; the build itself succeeds', () => {
    expect(build.code).toBe(0);
    const failed = dq.filter((r) => r.experiment_id === 'dq_missing_keys');
    expect(failed.map((r) => r.status)).toEqual(['fail', 'fail']);
    for (const r of failed) {
      expect(lines(build.stdout)).toContain(`FAIL dq_missing_keys ${r.check_name}: ${r.details} (data quality: the decision is investigate)`);
    }
    expect(build.stdout).toMatch(/, 0 failed$/m);
  });

  it('a rebuild with nothing to do runs no checks, so prints no WARN lines', async () => {
    const again = await xp(p.root, 'build', '--select', 'dq_*', ...SKIP_ANALYSES);
    expect(again.code).toBe(0);
    expect(again.stdout).not.toMatch(/^(WARN|FAIL) /m);
  });
});

describe('--generate-synth', () => {
  it('reports each experiment at the start and the end of its generation, with users, rows and seconds', () => {
    for (const id of ['dq_duplicates', 'dq_missing_keys']) {
      expect(lines(build.stdout)).toContain(`${id}: generate (3,000 users)`);
      expect(build.stdout).toMatch(new RegExp(`^${id}: generated \\(3,000 users: [\\d,]+ exposure rows, [\\d,]+ outcome rows\\) in \\d+\\.\\d+s$`, 'm'));
    }
  });
});
