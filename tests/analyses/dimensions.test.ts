/**
 * Dimensions end to end (the SRM debugger and the slices).
 * The SRM debugger end to end on the shipped project: synthetic data with an SRM planted in
 * one platform only (synth.platform_srm: 10% of ios control exposures lost) goes through the
 * real models (checks/srm_dimension_counts) and plugins; the overall SRM fails and the
 * debugger names platform = ios, and no other platform or country. Monte Carlo bounds: with
 * 30,000 users, 85% exposed and 45% on ios, ios has about 11,000 exposed users and the loss
 * moves its treatment share to about 0.526, a chi-square of about 30 (p ≈ 5e-8, far below the
 * 0.001 threshold, ~5.5 sd); every other level is balanced in truth, so a false flag after
 * Holm at 0.001 has probability below 0.001 per dimension. The seed is fixed, so the test
 * is deterministic; the bounds say it is not tuned to the seed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadProject } from '../../src/runner/load-project.ts';
import { runBuild, type BuildOutcome } from '../../src/runner/run-build.ts';
import { shippedProject } from '../helpers/shipped.ts';
import { rows } from '../helpers/warehouse.ts';
import type { TempProject } from '../helpers/project.ts';
import type { BuildEvent } from '../../src/core/events.ts';

let p: TempProject;
let outcome: BuildOutcome;
const warnings: string[] = [];

beforeAll(async () => {
  p = shippedProject({ nUsers: 30_000 });
  p.write('configs/dev.yaml', p.read('configs/dev.yaml').replace(
    /(  exp_checkout_button_001:\n(?:    .*\n)*?)    synth:\n/,
    '$1    dimensions: [platform, country]\n    report: { dimensions: [platform] }\n    synth:\n      platform_srm: { platform: ios, control_loss_rate: 0.1 }\n',
  ));
  const project = await loadProject('configs/dev.yaml', p.root);
  outcome = await runBuild(project, {
    select: 'exp_checkout_button_001', generateSynth: true,
    reporter: (e: BuildEvent) => { if (e.type === 'warning') warnings.push(e.message); },
  });
}, 120_000);
afterAll(() => p.remove());

describe('SRM debugger, planted SRM on ios', () => {
  it('the overall SRM fails and the debugger names platform = ios, only it', async () => {
    expect(outcome.status).toBe('success');
    const overall = await rows<{ mismatch: boolean }>(p.file('target/warehouse.duckdb'), "select mismatch from exp.srm_results where grain = 'overall'");
    expect(overall).toEqual([{ mismatch: true }]);
    const debug = await rows<{ dimension: string; level: string; rank: number; mismatch: boolean; treatment: number }>(
      p.file('target/warehouse.duckdb'),
      "select dimension, level, rank, mismatch, (observed_shares->>'treatment')::double as treatment from exp.srm_debug_results order by rank",
    );
    expect(debug[0]).toMatchObject({ dimension: 'platform', level: 'ios', rank: 1, mismatch: true });
    expect(debug[0]!.treatment).toBeGreaterThan(0.515);
    expect(debug.filter((r) => r.mismatch && r.dimension !== 'day').map((r) => `${r.dimension}=${r.level}`)).toEqual(['platform=ios']);
    expect(new Set(debug.filter((r) => r.dimension === 'country').map((r) => r.level))).toEqual(new Set(['US', 'GB', 'DE', 'IN', 'BR']));
    expect(warnings.find((w) => w.includes('SRM debugger:'))).toMatch(/SRM debugger: platform = ios: 5\d\.\d% treatment, p = \de-\d+; other platform levels balanced$/);
  });

  it('the memo and the report say where the imbalance comes from', () => {
    expect(p.read('target/memos/exp_checkout_button_001.md')).toMatch(/SRM debugger \(.*\): platform = ios: 5\d\.\d% treatment, p = \de-\d+; other platform levels balanced\./);
    expect(p.read('target/reports/exp_checkout_button_001.html')).toMatch(/<p>SRM debugger: platform &#x3D; ios: 5\d\.\d% treatment/);
  });

  it('the memo and report show the slices report.dimensions asks for, and only those', () => {
    const memo = p.read('target/memos/exp_checkout_button_001.md');
    expect(memo).toMatch(/## Slices by platform\n/);
    expect(memo).not.toMatch(/## Slices by country/);
    expect(memo).toMatch(/\| `conversion` \| ios \| `treatment` \| [\d,]+ \/ [\d,]+ \| [+-]?[\d.]+% \|/);
    expect(p.read('target/reports/exp_checkout_button_001.html')).toMatch(/<h3>Slices by platform<\/h3>/);
  });

  it('slices: every dimension\'s levels add up to the overall users per metric, and region comes from the seed', async () => {
    const wh = p.file('target/warehouse.duckdb');
    const overall = await rows<{ metric: string; control_n: number; treatment_n: number }>(wh, 'select metric, control_n::integer as control_n, treatment_n::integer as treatment_n from exp.analysis_results order by metric');
    const sliced = await rows<{ dimension: string; metric: string; control_n: number; treatment_n: number }>(wh, 'select dimension, metric, sum(control_n)::integer as control_n, sum(treatment_n)::integer as treatment_n from exp.slice_results group by all order by dimension, metric');
    expect(new Set(sliced.map((r) => r.dimension))).toEqual(new Set(['platform', 'country', 'region']));
    for (const s of sliced) {
      const o = overall.find((r) => r.metric === s.metric)!;
      expect([s.dimension, s.metric, s.control_n, s.treatment_n]).toEqual([s.dimension, s.metric, o.control_n, o.treatment_n]);
    }
    const regions = await rows<{ level: string }>(wh, "select distinct level from exp.slice_results where dimension = 'region' order by 1");
    expect(regions.map((r) => r.level)).toEqual(['asia_pacific', 'europe', 'latin_america', 'north_america']);
  });
});

describe('a dimension the raw exposures do not carry', () => {
  it('stops the build before any model runs, naming the file, the column and the experiment', async () => {
    const q = shippedProject({ nUsers: 500 });
    try {
      q.write('configs/experiments/exp_pricing_test_003.yml', q.read('configs/experiments/exp_pricing_test_003.yml').replace('dimensions: [platform, country]', 'dimensions: [platform, device]'));
      const project = await loadProject('configs/dev.yaml', q.root);
      const err = await runBuild(project, { select: 'exp_pricing_test_003', generateSynth: true }).then(() => undefined, (e: unknown) => e);
      expect(err).toMatchObject({ code: 'RAW_SCHEMA_INVALID', location: { experiment: 'exp_pricing_test_003', object: 'exp_pricing_test_003/exposures/part-0.parquet' } });
      expect((err as Error).message).toMatch(/column "device" is missing, and experiment exp_pricing_test_003 lists it under dimensions/);
    } finally {
      q.remove();
    }
  }, 60_000);
});
