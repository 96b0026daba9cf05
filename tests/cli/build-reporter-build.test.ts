/**
 * `xp build`'s console on real builds of the mini fixture: step numbers 1..n without gaps
 * (a run of steps with nothing to do shares one line), n the same in the plan, the lines
 * and the summary, and one line per analysis.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { miniProject, type TempProject } from '../helpers/project.ts';
import { xp } from '../helpers/cli.ts';

let p: TempProject;
beforeEach(async () => {
  p = await miniProject();
});
afterEach(() => p.remove());

/** The numbers of the step lines, in order, and the n they are out of. */
function numbering(stdout: string): { numbers: number[]; of: Set<number> } {
  const numbers: number[] = [];
  const of = new Set<number>();
  for (const line of stdout.split('\n')) {
    const m = /^\s*(\d+)(?:-(\d+))?\/(\d+) (OK  |FAIL|SKIP) /.exec(line);
    if (!m) continue;
    for (let k = Number(m[1]); k <= Number(m[2] ?? m[1]); k++) numbers.push(k);
    of.add(Number(m[3]));
  }
  return { numbers, of };
}

function expectOneCount(stdout: string): number {
  const planned = Number(/^plan: .* \((\d+) steps?\)$/m.exec(stdout)?.[1]);
  const summary = /^done in \S+, (\d+) steps?: (\d+) built, (\d+) up to date, (\d+) skipped, (\d+) failed$/m.exec(stdout);
  expect(summary, stdout).not.toBeNull();
  const [, total, ...parts] = summary!.map(Number);
  const { numbers, of } = numbering(stdout);
  expect([...of]).toEqual([planned]);
  expect(numbers).toEqual(Array.from({ length: planned }, (_, i) => i + 1));
  expect(total).toBe(planned);
  expect(parts.reduce((a, b) => a + b, 0)).toBe(planned);
  return planned;
}

describe('xp build step lines', () => {
  it('number every step once, 1..n with no gaps, and the plan, the lines and the summary agree on n', async () => {
    const first = await xp(p.root, 'build', '--select', 'all');
    expect(first.code, first.stderr).toBe(0);
    // 7 models (the ephemeral one is no step), then one analysis per experiment
    expect(first.stdout).toContain('plan: 7 to build, 0 up to date, 0 skipped, then 1 analysis for each of 2 experiments (9 steps)\n');
    expect(expectOneCount(first.stdout)).toBe(9);

    const again = await xp(p.root, 'build', '--select', 'all');
    expect(again.stdout).toContain('plan: 0 to build, 7 up to date, 0 skipped, then 1 analysis for each of 2 experiments (9 steps)\n');
    expect(again.stdout).toContain('1-3/9 SKIP exp_a stg_events … variant_totals fresh (3 steps)\n');
    expect(again.stdout).toMatch(/: 0 built, 9 up to date, 0 skipped, 0 failed$/m);
    expectOneCount(again.stdout);

    const skipping = await xp(p.root, 'build', '--select', 'exp_a', '--skip', 'variant_count', '--full-refresh');
    expect(skipping.stdout).toContain('5/5 SKIP exp_a analysis:variant_count flag\n');
    expect(skipping.stdout).toMatch(/, 5 steps: 4 built, 0 up to date, 1 skipped, 0 failed$/m);
    expectOneCount(skipping.stdout);
  });

  it('a failing model: the blocked steps are numbered in place, the count still adds up', async () => {
    p.write('models/core/user_values.sql', 'select no_such_column from {{ref "stg_events"}}');
    const r = await xp(p.root, 'build', '--select', 'exp_a');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^2\/5 FAIL exp_a user_values MODEL_FAILED: /m);
    expect(r.stdout).toContain('3/5 SKIP exp_a variant_totals upstream user_values failed\n');
    expectOneCount(r.stdout);
  });

  it('one line per analysis: no phase line before its result', async () => {
    const r = await xp(p.root, 'build', '--select', 'all');
    const lines = r.stdout.split('\n').filter((l) => l.includes('variant_count'));
    expect(lines).toEqual([
      expect.stringMatching(/^8\/9 OK {3}exp_a analysis:variant_count 1 rows in \d+\.\d+s$/),
      expect.stringMatching(/^9\/9 OK {3}exp_b analysis:variant_count 1 rows in \d+\.\d+s$/),
    ]);
  });
});
