/**
 * `xp power` through runCli: sample sizes and MDEs checked against the closed forms
 * (Fleiss et al. for two proportions, Chow et al. for means; values computed with scipy's
 * normal quantiles), table and JSON output, exit 2 on bad input.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyProject, REPO_ROOT, type TempProject } from '../helpers/project.ts';
import { xp } from '../helpers/cli.ts';
import { powerCommand } from '../../src/cli/commands/power.ts';

let p: TempProject;
beforeAll(() => { p = copyProject(REPO_ROOT, { only: ['configs'], prefix: 'power' }); });
afterAll(() => p.remove());

const json = async (...args: string[]) => {
  const r = await xp(p.root, 'power', ...args, '--format', 'json');
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as Record<string, unknown>;
};

describe('xp power', () => {
  it('binomial sample size for a relative MDE: 57,763 per arm for 10% → 10.5% (scipy: 57762.65)', async () => {
    expect(await json('--type', 'binomial', '--baseline', '0.1', '--mde', '0.05')).toEqual({
      mode: 'sample-size', metric: null, metric_type: 'binomial', baseline: 0.1, sd: null, alpha: 0.05, power: 0.8, ratio: 1, sided: 2,
      // JSON rounds float noise to 12 significant digits: 0.1 × 0.05 prints 0.005, not 0.005000000000000001
      mde_absolute: 0.005, mde_relative: 0.05, n_control: 57763, n_treatment: 57763, n_total: 115526,
    });
  });

  it('mean sample size for an absolute MDE: 566 per arm for sd 3, effect 0.5 (scipy: 565.12)', async () => {
    const r = await json('--type', 'mean', '--sd', '3', '--mde', '0.5', '--mde-type', 'absolute');
    expect(r).toMatchObject({ n_control: 566, n_treatment: 566, mde_relative: null });
  });

  it('the MDE for a given n, with the metric type from the config', async () => {
    const r = await json('--metric', 'revenue', '--baseline', '12.5', '--sd', '3', '--n', '5000');
    expect(r).toMatchObject({ mode: 'mde', metric: 'revenue', metric_type: 'mean', n_control: 5000, n_total: 10000 });
    expect(r['mde_absolute']).toBeCloseTo(0.1680951130867781, 12);
    expect(r['mde_relative']).toBeCloseTo(0.1680951130867781 / 12.5, 12);
    const b = await json('--metric', 'conversion', '--baseline', '0.1', '--n', '57763');
    expect(b['mde_relative']).toBeCloseTo(0.05, 4);
  });

  it('allocation ratio, alpha, power and sidedness reach the formula', () => {
    const base = { type: 'binomial' as const, baseline: 0.1, mde: 0.05, mdeType: 'relative' as const, alpha: 0.05, power: 0.8, ratio: 1, sided: 2 as const };
    const even = powerCommand(base);
    const uneven = powerCommand({ ...base, ratio: 2 });
    expect(uneven.n_treatment).toBeGreaterThanOrEqual(2 * uneven.n_control - 1);
    expect(uneven.n_control).toBeLessThan(even.n_control);
    expect(powerCommand({ ...base, power: 0.9 }).n_control).toBeGreaterThan(even.n_control);
    expect(powerCommand({ ...base, alpha: 0.01 }).n_control).toBeGreaterThan(even.n_control);
    expect(powerCommand({ ...base, sided: 1 }).n_control).toBeLessThan(even.n_control);
  });

  it('prints a table by default', async () => {
    const r = await xp(p.root, 'power', '--type', 'binomial', '--baseline', '0.1', '--mde', '0.05');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('quantity');
    expect(r.stdout).toMatch(/users in control +57,763\n/);
    expect(r.stdout).toMatch(/effect \(relative\) +5\.00%\n/);
  });

  it.each([
    [['--type', 'binomial', '--baseline', '1.5', '--mde', '0.05'], 'baseline=1.5 must be in (0, 1)'],
    [['--type', 'binomial', '--baseline', '0.1'], 'give either --mde (for the sample size) or --n (for the MDE), not both and not neither'],
    [['--type', 'binomial', '--baseline', '0.1', '--mde', '0.05', '--n', '100'], 'give either --mde'],
    [['--type', 'binomial', '--mde', '0.05'], 'a binomial metric needs --baseline'],
    [['--type', 'mean', '--baseline', '10', '--mde', '0.05'], 'a mean metric needs --sd'],
    [['--type', 'mean', '--sd', '3', '--mde', '0.05'], 'a relative --mde on a mean metric needs --baseline'],
    [['--type', 'binomial', '--baseline', '0.1', '--mde', 'abc'], '--mde "abc": expected a nonzero effect'],
    [['--type', 'binomial', '--baseline', '0.1', '--mde', '0'], '--mde "0": expected a nonzero effect'],
    [['--type', 'binomial', '--baseline', '0.1', '--mde', '0.05', '--alpha', '1.5'], '--alpha "1.5": expected a level in (0, 1)'],
    [['--type', 'binomial', '--baseline', '0.1', '--n', '1'], '--n 1 must be a whole number of control users >= 2'],
    [['--type', 'binomial', '--baseline', '0.9', '--mde', '0.5'], 'baseline + effect = 1.35 is not a rate in (0, 1)'],
    [['--baseline', '0.1', '--mde', '0.05'], 'give --type binomial|mean, or --metric <name> from the config'],
    [['--metric', 'nope', '--baseline', '0.1', '--mde', '0.05'], 'unknown metric "nope"'],
    [['--metric', 'revenue_per_order', '--sd', '1', '--mde', '1', '--mde-type', 'absolute'], 'is a ratio metric'],
  ])('exit 2 on bad input: %j', async (args, message) => {
    const r = await xp(p.root, 'power', ...args);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^error\[USAGE\]: /);
    expect(r.stderr).toContain(message);
  });

  it('exit 2 on an unknown --type or --format (commander)', async () => {
    expect((await xp(p.root, 'power', '--type', 'ratio', '--baseline', '0.1', '--mde', '0.05')).code).toBe(2);
    expect((await xp(p.root, 'power', '--type', 'binomial', '--baseline', '0.1', '--mde', '0.05', '--format', 'xml')).code).toBe(2);
  });
});
