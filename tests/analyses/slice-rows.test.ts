/**
 * Dimension slices (pure) against scipy on per-user data reduced to sums
 * (tests/fixtures/srm-debug/make_fixtures.py): the score test and Welch's t per level, Holm
 * within the dimension; and the top-N cap pooling the rest as `other` exactly.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { capSlices, sliceRows } from '../../src/analyses/lib/slice-rows.ts';
import type { SliceAggregate } from '../../src/analyses/model-rows.ts';
import { FIXTURES } from '../helpers/project.ts';

const fx = JSON.parse(readFileSync(`${FIXTURES}/srm-debug/slices.json`, 'utf8')) as {
  aggregates: SliceAggregate[];
  expected: { metric: string; level: string; estimate: number; p_value: number; p_value_adjusted: number }[];
};
const settings = { control: 'control', treatments: ['treatment'], metrics: ['conversion', 'revenue'], alpha: 0.05, maxLevels: 20, minUsers: 1000 };

describe('sliceRows', () => {
  const rows = sliceRows(fx.aggregates, settings);

  it('matches scipy per level: estimate, p and Holm-adjusted p across the dimension\'s levels', () => {
    expect(rows).toHaveLength(fx.expected.length);
    for (const e of fx.expected) {
      const r = rows.find((x) => x.metric === e.metric && x.level === e.level)!;
      expect(r.status).toBe('ok');
      expect(r.estimate).toBeCloseTo(e.estimate, 10);
      expect(Math.abs(r.p_value! - e.p_value) / e.p_value).toBeLessThan(1e-6);
      expect(Math.abs(r.p_value_adjusted! - e.p_value_adjusted) / e.p_value_adjusted).toBeLessThan(1e-6);
      expect(r.correction).toBe('holm');
    }
  });

  it('flags levels with few users', () => {
    expect([...new Set(rows.filter((r) => r.few_users).map((r) => r.level))]).toEqual(['web']);
  });

  it('pools the levels past the cap as other, sums added exactly', () => {
    const capped = capSlices(fx.aggregates, 1);
    expect([...new Set(capped.map((c) => c.level))]).toEqual(['ios', 'other']);
    const other = capped.find((c) => c.level === 'other' && c.variant === 'control' && c.metric === 'revenue')!;
    const parts = fx.aggregates.filter((c) => c.level !== 'ios' && c.variant === 'control' && c.metric === 'revenue');
    expect(other.n).toBe(parts.reduce((s, c) => s + c.n, 0));
    expect(other.sum).toBeCloseTo(parts.reduce((s, c) => s + c.sum, 0), 9);
  });
});
