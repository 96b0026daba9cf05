/**
 * `xp overlaps` and `xp schedule` on the shipped project: before any build, after building
 * the overlapping pair (the planted interaction flagged, exit 1, in text and JSON), the
 * shipped layer's schedule conflict and its proposal, and bad options (exit 2).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TempProject } from '../helpers/project.ts';
import { xp } from '../helpers/cli.ts';
import { shippedProject } from '../report/support/shipped-project.ts';
import type { OverlapReport } from '../../src/portfolio/types.ts';
import type { ScheduleReport } from '../../src/portfolio/schedule.ts';

describe('xp overlaps and xp schedule on the shipped project', () => {
  let p: TempProject;
  beforeAll(() => {
    p = shippedProject({ nUsers: 4000, edit: { exp_search_ranking_004: { 'synth.interaction.lift_conversion': -0.9 } } });
  });
  afterAll(() => p?.remove());

  it('says so before anything is built, and exits 0', async () => {
    const r = await xp(p.root, 'overlaps');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('note: nothing is built yet');
  });

  it('lists the schedule conflict of the shipped layer experiment and its earliest start', async () => {
    const r = await xp(p.root, 'schedule', '--format', 'json');
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout) as ScheduleReport;
    expect(s.conflicts.map((c) => [c.experiment, c.with, c.kind, c.from, c.to])).toEqual([['exp_checkout_copy_005', 'exp_pricing_test_003', 'same_primary', '2026-03-09', '2026-03-16']]);
    expect(s.proposals).toEqual([{ experiment: 'exp_checkout_copy_005', configuredStart: '2026-03-09', earliestStart: '2026-03-16', delayDays: 7 }]);
    const text = await xp(p.root, 'schedule');
    expect(text.stdout).toContain('exp_checkout_copy_005 × exp_pricing_test_003: both have primary metric conversion');
  });

  it('flags the planted interaction of the overlapping pair (exit 1), with users in both and their shares', async () => {
    expect((await xp(p.root, 'build', '--select', 'exp_add_cart_002,exp_search_ranking_004', '--generate-synth', '--skip-memo')).code).toBe(0);
    const r = await xp(p.root, 'overlaps', '--format', 'json');
    expect(r.code).toBe(1);
    const o = JSON.parse(r.stdout) as OverlapReport;
    expect(o.correction).toBe('bh');
    expect(o.notes).toEqual(['not built, so left out of the pairs: exp_checkout_copy_005, exp_checkout_trust_006, exp_pricing_test_003']);
    expect(o.pairs).toHaveLength(1);
    const pair = o.pairs[0]!;
    expect([pair.a, pair.b, pair.sharedDays]).toEqual(['exp_add_cart_002', 'exp_search_ranking_004', 14]);
    expect(pair.usersBoth).toBeGreaterThan(2500);
    expect(pair.shareOfA).toBeCloseTo(pair.usersBoth / 3600, 1);
    expect(pair.flags).toEqual(['interaction']);
    expect(pair.interactions.map((f) => [f.experimentId, f.metric])).toEqual([['exp_add_cart_002', 'revenue'], ['exp_search_ranking_004', 'conversion']]);
    const text = await xp(p.root, 'overlaps', '--select', 'exp_search_ranking_004');
    expect(text.code).toBe(1);
    expect(text.stdout).toMatch(/exp_add_cart_002 × exp_search_ranking_004 interact on conversion \(exp_search_ranking_004's window; Wald chi-square/);
  });

  it.each([
    [['overlaps', '--alpha', '2'], /--alpha.*expected a number between 0 and 1/],
    [['overlaps', '--min-cell-users', '1'], /expected a whole number of at least 2/],
    [['overlaps', '--select', 'exp_nope'], /exp_nope/],
  ])('refuses %j (exit 2)', async (argv, message) => {
    const r = await xp(p.root, ...argv);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });
});
