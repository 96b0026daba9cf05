/**
 * `xp run` with `schedule: { every: 1d }` on the shipped project: an experiment never rebuilt is
 * due; right after a rebuild it is not (an incremental no-op); at a time past the cadence it is
 * rebuilt in full with unchanged inputs, and the output says why. A malformed cadence is exit 2.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { xp } from '../helpers/cli.ts';
import type { TempProject } from '../helpers/project.ts';
import { shippedProject } from '../report/support/shipped-project.ts';

const ID = 'exp_checkout_button_001';
let p: TempProject;

beforeAll(async () => {
  p = shippedProject({ only: [ID], nUsers: 2000, edit: { [ID]: { 'schedule.every': '1d' } } });
  expect((await xp(p.root, 'generate', '--select', 'all')).code).toBe(0);
  expect((await xp(p.root, 'experiment', 'start', ID)).code).toBe(0);
});
afterAll(() => p?.remove());

describe('xp run with a schedule: cadence', () => {
  it('rebuilds a due experiment in full even when its inputs are unchanged, and says why', async () => {
    const first = await xp(p.root, 'run');
    expect(first.stderr).toBe('');
    expect(first.stdout).toContain(`${ID}: due by its schedule (every 1d): never rebuilt; rebuilding every partition`);
    expect(first.stdout).toMatch(/plan: 12 to build, 0 up to date/);

    const again = await xp(p.root, 'run');
    expect(again.stderr).toBe('');
    expect(again.stdout).not.toContain('due by its schedule');
    expect(again.stdout).toMatch(/plan: 0 to build, 12 up to date/);

    // a day later (judged at --as-of): due again, though nothing changed
    const later = await xp(p.root, 'run', '--as-of', '2099-01-01');
    expect(later.stderr).toBe('');
    expect(later.stdout).toMatch(new RegExp(`${ID}: due by its schedule \\(every 1d\\): last rebuilt 20\\d\\d-\\d\\d-\\d\\dT[\\d:.]+Z; rebuilding every partition`));
    expect(later.stdout).toMatch(/plan: 12 to build, 0 up to date/);
  });

  it('a cadence that is not <n><m|h|d> is CONFIG_INVALID naming the file', async () => {
    const good = p.read('configs/dev.yaml');
    try {
      p.write('configs/dev.yaml', good.replace('every: 1d', 'every: 1w'));
      const r = await xp(p.root, 'run');
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/error\[CONFIG_INVALID\][\s\S]*dev\.yaml[\s\S]*a cadence is a whole number and a unit: 30m, 6h or 1d/);
    } finally {
      p.write('configs/dev.yaml', good);
    }
  });
});
