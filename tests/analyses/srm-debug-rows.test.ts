/**
 * The SRM debugger's rows (pure) against scipy: chi-square and p per level after the top-20
 * cap, Holm within each dimension (tests/fixtures/srm-debug/make_fixtures.py), the ranking,
 * and the headline naming where the imbalance is.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { capLevels, srmDebugHeadline, srmDebugRows, type LevelCount } from '../../src/analyses/lib/srm-debug-rows.ts';
import { FIXTURES } from '../helpers/project.ts';

interface Fixture {
  variants: string[]; shares: number[]; maxLevels: number; threshold: number;
  counts: LevelCount[];
  expected: { dimension: string; level: string; n_total: number; chi2: number; p_value: number; p_value_adjusted: number }[];
}
const fx = JSON.parse(readFileSync(`${FIXTURES}/srm-debug/srm_debug.json`, 'utf8')) as Fixture;
const settings = { variants: fx.variants, shares: fx.shares, threshold: fx.threshold, maxLevels: fx.maxLevels, minUsers: 100 };

describe('srmDebugRows', () => {
  const rows = srmDebugRows(fx.counts, settings);

  it('matches scipy per level: users, chi-square, p and Holm-adjusted p within the dimension', () => {
    expect(rows.map((r) => `${r.dimension}/${r.level}`).sort()).toEqual(fx.expected.map((e) => `${e.dimension}/${e.level}`).sort());
    for (const e of fx.expected) {
      const r = rows.find((x) => x.dimension === e.dimension && x.level === e.level)!;
      expect(r.n_total).toBe(e.n_total);
      expect(r.chi2).toBeCloseTo(e.chi2, 9);
      expect(Math.abs(r.p_value! - e.p_value)).toBeLessThanOrEqual(1e-9 * Math.max(e.p_value, 1e-300) + 1e-15);
      expect(Math.abs(r.p_value_adjusted! - e.p_value_adjusted)).toBeLessThanOrEqual(1e-9 * e.p_value_adjusted + 1e-15);
      expect(r.correction).toBe('holm');
    }
  });

  it('ranks by p-value, flags the planted level only, and keeps 20 countries plus other', () => {
    expect(rows.map((r) => r.rank)).toEqual(rows.map((_r, i) => i + 1));
    expect(rows.map((r) => r.p_value!)).toEqual([...rows.map((r) => r.p_value!)].sort((a, b) => a - b));
    expect(rows.filter((r) => r.mismatch).map((r) => `${r.dimension}/${r.level}`)).toEqual(['platform/ios']);
    expect(rows.filter((r) => r.dimension === 'country')).toHaveLength(21);
    expect(rows.filter((r) => r.few_users).map((r) => r.level)).toEqual([]);
  });

  it('says where the imbalance comes from, and nothing when no level is out of balance', () => {
    const ios = rows.find((r) => r.level === 'ios')!;
    const share = ((ios.observed_shares as Record<string, number>)['treatment']! * 100).toFixed(1);
    expect(srmDebugHeadline(rows, fx.variants)).toBe(`platform = ios: ${share}% treatment, p = ${ios.p_value!.toExponential(0)}; other platform levels balanced`);
    expect(srmDebugHeadline(rows.filter((r) => r.level !== 'ios'), fx.variants)).toBeUndefined();
  });

  it('pools levels past the cap as other and flags a level with few users', () => {
    const cells: LevelCount[] = ['a', 'b', 'c'].flatMap((level, i) => fx.variants.map((variant) => ({ dimension: 'x', level, variant, observed: 100 * (3 - i) })));
    expect(capLevels(cells, 2).filter((c) => c.level === 'other')).toEqual([
      { dimension: 'x', level: 'other', variant: 'control', observed: 100 },
      { dimension: 'x', level: 'other', variant: 'treatment', observed: 100 },
    ]);
    const few = srmDebugRows([...cells, { dimension: 'x', level: 'd', variant: 'control', observed: 30 }], { ...settings, maxLevels: 5 });
    expect(few.filter((r) => r.few_users).map((r) => r.level)).toEqual(['d']);
  });
});
