/**
 * The memo's "Overlapping experiments" section on the shipped project: the pair of
 * exp_add_cart_002 and exp_search_ranking_004 with its planted interaction appears in both
 * memos with the finding; an experiment that overlaps none has no such section; rebuilding
 * the partner with other data re-renders the memo (the partner is one of its inputs).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TempProject } from '../helpers/project.ts';
import { xp } from '../helpers/cli.ts';
import { shippedProject } from './support/shipped-project.ts';

describe('the memo names overlapping experiments', () => {
  let p: TempProject;
  beforeAll(async () => {
    p = shippedProject({ only: ['exp_checkout_button_001', 'exp_add_cart_002', 'exp_search_ranking_004'], nUsers: 4000, edit: { exp_search_ranking_004: { 'synth.interaction.lift_conversion': -0.9 } } });
    expect((await xp(p.root, 'build', '--select', 'all', '--generate-synth')).code).toBe(0);
  }, 300_000);
  afterAll(() => p?.remove());

  const section = (id: string): string | undefined => /## Overlapping experiments\n([\s\S]*?)\n## /.exec(p.read(`target/memos/${id}.md`))?.[1];

  it('shows the pair and its flagged interaction in both memos, and nothing in a lone experiment\'s', () => {
    for (const id of ['exp_add_cart_002', 'exp_search_ranking_004']) {
      const s = section(id)!;
      expect(s).toMatch(/- exp_add_cart_002 × exp_search_ranking_004: \d+ users in both \(\d+\.\d% of exp_add_cart_002, \d+\.\d% of exp_search_ranking_004\)/);
      expect(s).toMatch(/Flagged \(`xp overlaps`, Benjamini–Hochberg over the pairs\):/);
      expect(s).toMatch(/exp_add_cart_002 × exp_search_ranking_004 interact on conversion \(exp_search_ranking_004's window/);
    }
    expect(section('exp_checkout_button_001')).toBeUndefined();
    expect(p.read('target/memos/exp_checkout_button_001.md')).not.toContain('Overlapping');
  });

  it('re-renders when the partner changes: without the interaction nothing is flagged', async () => {
    const file = 'configs/experiments/exp_search_ranking_004.yml';
    p.write(file, p.read(file).replace(/\n  interaction: .*\n/, '\n'));
    const rebuilt = await xp(p.root, 'build', '--select', 'exp_search_ranking_004', '--generate-synth', '--accept-input-change');
    expect(rebuilt.code, rebuilt.stderr + rebuilt.stdout).toBe(0);
    // only the partner was rebuilt; add_cart's memo is refreshed by its own (no-op) build
    expect((await xp(p.root, 'build', '--select', 'exp_add_cart_002')).code).toBe(0);
    expect(section('exp_add_cart_002')).toContain('No pair is flagged');
  }, 300_000);
});
