/**
 * Bad metric analysis settings (issue 16: winsorisation, priors, quantile metrics): one broken
 * config per rule under tests/fixtures/configs/, each with its exact message, file and line,
 * exit code 2, and one CLI run showing the same from `xp ls`.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { XpError } from '../../src/core/errors.ts';
import { loadConfig } from '../../src/project/load-config.ts';
import { winsorisation } from '../../src/project/winsorisation.ts';
import { FIXTURES, REPO_ROOT } from '../helpers/project.ts';
import { xp } from '../helpers/cli.ts';
import { loadConfigError } from '../helpers/config-error.ts';

interface Case { readonly dir: string; readonly line: number; readonly message: string }

const cases: readonly Case[] = [
  { dir: 'cap-lower-above-upper', line: 8, message: 'metric revenue: cap.lower_quantile (0.99) must be below cap.upper_quantile (0.5)' },
  { dir: 'cap-and-cap-quantile', line: 8, message: 'metric revenue: cap and cap_quantile both set the upper bound' },
  { dir: 'cap-nonzero-by-value', line: 9, message: 'metric revenue: cap_nonzero: true needs a quantile bound to compute among nonzero users' },
  { dir: 'cap-empty', line: 8, message: 'metric revenue: cap has no bound' },
  { dir: 'cap-lower-twice', line: 10, message: 'metric revenue: cap sets the lower bound twice (lower_quantile and lower_value)' },
  { dir: 'cap-quantile-out-of-range', line: 8, message: 'metrics.revenue.cap.upper_quantile: a cap quantile must be in (0, 1)' },
  { dir: 'prior-sd-zero', line: 8, message: 'metrics.revenue.prior.sd: prior sd must be > 0' },
  { dir: 'quantile-out-of-range', line: 8, message: 'metrics.revenue_p50.quantile: quantile must be in (0, 1)' },
  { dir: 'quantile-primary', line: 13, message: 'experiment exp_ok: the primary metric revenue_p50 is a quantile metric' },
];

const loadError = (dir: string): XpError => loadConfigError(dir, 'dev.yaml');

describe('metric settings that cannot work are config errors at file:line', () => {
  it.each(cases)('$dir → line $line', (c) => {
    const dir = path.join(FIXTURES, 'configs', c.dir);
    const err = loadError(dir);
    expect(err.code).toBe('CONFIG_INVALID');
    expect(err.message).toBe(c.message);
    expect(err.location.file).toBe(path.join(dir, 'dev.yaml'));
    expect(err.location.line).toBe(c.line);
    expect(err.hint).toMatch(/\S/);
    expect(err.exitCode).toBe(2);
  });

  it('xp ls exits 2 with file:line and the message', async () => {
    const dir = path.join(FIXTURES, 'configs', 'cap-lower-above-upper');
    const r = await xp(dir, 'ls', '--config', 'dev.yaml');
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n')[0]).toBe(`error[CONFIG_INVALID] ${path.join(dir, 'dev.yaml')}:8: ${cases[0]!.message}`);
  });
});

describe('winsorisation: the normalised bounds', () => {
  it('cap_quantile is the upper quantile; cap and cap_nonzero as given; other metric types cap nothing', () => {
    const config = loadConfig('configs/dev.yaml', REPO_ROOT);
    expect(winsorisation(config.metrics['revenue']!)).toEqual({ lower_quantile: null, upper_quantile: 0.99, lower_value: null, upper_value: null, nonzero: false });
    expect(winsorisation(config.metrics['revenue_buyers_capped']!)).toEqual({ lower_quantile: 0.01, upper_quantile: 0.99, lower_value: null, upper_value: null, nonzero: true });
    expect(winsorisation(config.metrics['conversion']!)).toBeNull();
    expect(winsorisation({ type: 'mean', event: 'purchase', direction: 'increase', guardrail: false, noninferiority: false, cap: { upper_value: 250 } }))
      .toEqual({ lower_quantile: null, upper_quantile: null, lower_value: null, upper_value: 250, nonzero: false });
  });
});
