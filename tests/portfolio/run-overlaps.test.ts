/** overlapsIn's guards that need no warehouse: the routine cap on pairs, and nothing built. */
import { describe, expect, it } from 'vitest';
import { overlapsIn } from '../../src/portfolio/run-overlaps.ts';
import type { Experiment } from '../../src/project/types.ts';

const e = (id: string, start: string): Experiment => ({ id, start, days: 14, primary_metric: 'conversion', guardrails: [] }) as unknown as Experiment;
const config = { experiments: [e('exp_a', '2026-01-01'), e('exp_b', '2026-01-05'), e('exp_c', '2026-01-10'), e('exp_d', '2026-03-01')], metrics: {} };

describe('overlapsIn', () => {
  it('reads no pair past maxPairs and says how many overlap', async () => {
    const r = await overlapsIn(undefined, config, { maxPairs: 2 });
    expect(r.pairs).toEqual([]);
    expect(r.notes).toEqual(['3 pairs of experiments overlap, more than 2: their overlaps are not read here; run `xp overlaps`']);
  });

  it('says nothing is built without a warehouse, and nothing when no window overlaps', async () => {
    expect((await overlapsIn(undefined, config)).notes).toEqual(['nothing is built yet: `xp build` the experiments, then run `xp overlaps` again']);
    expect((await overlapsIn(undefined, config, { select: 'exp_d' })).notes).toEqual([]);
  });
});
