/**
 * Small things a newcomer from dbt trips on: `xp --version`, `xp generate --select`,
 * JSON without float noise, "did you mean" for stage names and options.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { toJson } from '../../src/cli/commands/power.ts';
import { xp } from '../helpers/cli.ts';
import { miniProject, REPO_ROOT, tempDir, wrapProject, type TempProject } from '../helpers/project.ts';
import { shippedProject } from '../helpers/shipped.ts';

let p: TempProject | undefined;
afterEach(() => {
  p?.remove();
  p = undefined;
});

const VERSION = (JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version;

describe('xp --version', () => {
  it.each([['--version'], ['-V']])('%s prints the version in package.json, exit 0, anywhere', async (flag) => {
    p = wrapProject(tempDir('version'));
    const r = await xp(p.root, flag);
    expect(r).toEqual({ code: 0, stdout: `${VERSION}\n`, stderr: '' });
  });
});

describe('xp generate --select', () => {
  it('--select, and --experiment-id still works as its deprecated, hidden alias', async () => {
    p = shippedProject({ nUsers: 300 });
    const r = await xp(p.root, 'generate', '--select', 'exp_checkout_button_001 exp_add_cart_002');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^exp_checkout_button_001: \d+ exposure rows/m);
    expect(r.stdout).toMatch(/^exp_add_cart_002: \d+ exposure rows/m);
    const old = await xp(p.root, 'generate', '--experiment-id', 'exp_checkout_button_001');
    expect(old.code).toBe(0);
    expect(old.stdout).toMatch(/^exp_checkout_button_001: .*\(0 written, 2 unchanged\)$/m);
    const help = await xp(p.root, 'generate', '--help');
    expect(help.stdout).toContain('-s, --select <experiments>');
    expect(help.stdout).not.toContain('--experiment-id');
  }, 60_000);

  it.each([
    [[], 'error[USAGE]: xp generate needs --select <experiments>\n  hint: e.g. xp generate --select exp_checkout_button_001 (ids, globs such as exp_*, or all)\n'],
    [['--select', 'exp_a', '--experiment-id', 'exp_a'], 'error[USAGE]: give --select or --experiment-id, not both\n  hint: --experiment-id is the old name of --select; use --select <experiments>\n'],
  ])('xp generate %j: exit 2', async (args, stderr) => {
    p = await miniProject({ raw: [] });
    const r = await xp(p.root, 'generate', ...args);
    expect(r).toEqual({ code: 2, stdout: '', stderr });
  });
});

describe('JSON output without float noise', () => {
  it('toJson rounds non-integers to 12 significant digits and leaves the rest alone', () => {
    expect(toJson({ a: 0.1 + 0.2, b: 0.09999999999999999, c: 14751, d: null, e: 1e-20, f: 123456789012345, g: 'x' }))
      .toBe(JSON.stringify({ a: 0.3, b: 0.1, c: 14751, d: null, e: 1e-20, f: 123456789012345, g: 'x' }, null, 2));
  });

  it('xp power --format json: 0.1 × 0.1 is 0.01, not 0.010000000000000002', async () => {
    p = wrapProject(tempDir('power'));
    const r = await xp(p.root, 'power', '--type', 'binomial', '--baseline', '0.1', '--mde', '0.1', '--format', 'json');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('"mde_absolute": 0.01,\n');
    expect(r.stdout).not.toMatch(/\d\.\d{13,}/);
    expect(JSON.parse(r.stdout)).toMatchObject({ mode: 'sample-size', baseline: 0.1, mde_absolute: 0.01, mde_relative: 0.1, n_control: 14751 });
  });
});

describe('did you mean', () => {
  it('--skip with a misspelt stage: exit 2, the stage meant', async () => {
    p = await miniProject();
    const r = await xp(p.root, 'build', '--select', 'exp_a', '--skip', 'metrcs');
    expect(r).toEqual({ code: 2, stdout: '', stderr: 'error[USAGE]: --skip: unknown stage "metrcs"\n  hint: did you mean "metrics"? stages you can skip: dq, metrics, memo, variant_count\n' });
  });

  it('a misspelt --skip-<stage> flag: commander names the flag meant, exit 2', async () => {
    p = await miniProject();
    const r = await xp(p.root, 'build', '--select', 'exp_a', '--skip-metrcs');
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("error: unknown option '--skip-metrcs'\n(Did you mean --skip-metrics?)\n(run `xp --help` for usage)\n");
  });
});
