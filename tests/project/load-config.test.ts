/**
 * Config validation: one broken config per error class under tests/fixtures/configs/,
 * each asserting the exact message, the file and the line, and exit code 2 from the CLI.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { XpError } from '../../src/core/errors.ts';
import { loadConfig } from '../../src/project/load-config.ts';
import { FIXTURES, REPO_ROOT } from '../helpers/project.ts';
import { xp } from '../helpers/cli.ts';
import { loadConfigError } from '../helpers/config-error.ts';

const ID_RULE = 'an experiment id must match ^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$ (letters, digits, _ . -; no quotes, slashes or spaces)';

interface Case {
  readonly dir: string;
  readonly code: string;
  readonly message: string;
  /** file relative to the fixture folder */
  readonly file: string;
  readonly line: number;
  readonly column?: number;
  readonly hint?: string;
}

const cases: readonly Case[] = [
  { dir: 'unknown-key', code: 'CONFIG_INVALID', file: 'dev.yaml', line: 11, message: 'unknown key "hypothsis" in experiments.exp_ok' },
  { dir: 'wrong-type', code: 'CONFIG_INVALID', file: 'dev.yaml', line: 12, message: 'experiments.exp_ok.days: Invalid input: expected number, received string' },
  { dir: 'missing-key', code: 'CONFIG_INVALID', file: 'dev.yaml', line: 7, message: 'experiments.exp_ok.primary_metric: missing required key "primary_metric"' },
  { dir: 'allocations', code: 'CONFIG_INVALID', file: 'dev.yaml', line: 9, message: 'experiment exp_ok: variant allocations sum to 0.9, expected 1' },
  { dir: 'unknown-metric', code: 'CONFIG_INVALID', file: 'dev.yaml', line: 11, message: 'experiment exp_ok: metric "retention" does not exist', hint: 'define it under metrics: or use one of: conversion, revenue' },
  { dir: 'id-quote', code: 'EXPERIMENT_ID_INVALID', file: 'dev.yaml', line: 7, message: `invalid experiment id "exp_1'; drop table exp.exposures; --": ${ID_RULE}` },
  { dir: 'id-space', code: 'EXPERIMENT_ID_INVALID', file: 'dev.yaml', line: 7, message: `invalid experiment id "exp ok": ${ID_RULE}` },
  { dir: 'id-dotdot', code: 'EXPERIMENT_ID_INVALID', file: 'experiments/escape.yml', line: 2, message: `invalid experiment id "../../etc": ${ID_RULE}` },
  { dir: 'guardrail-no-margin', code: 'CONFIG_INVALID', file: 'dev.yaml', line: 4, message: 'metric bounce_rate: a non-inferiority guardrail needs a margin' },
  {
    dir: 'duplicate-experiment', code: 'CONFIG_INVALID', file: 'experiments/b_second.yml', line: 2,
    message: 'experiment exp_twice is defined twice',
    hint: 'keep one definition: experiments/a_first.yml:2 already defines it',
  },
  {
    // the flow map opens at line 9 column 15; YAML only notices it is unclosed on line 10
    dir: 'yaml-syntax', code: 'CONFIG_PARSE', file: 'dev.yaml', line: 9, column: 15,
    message: 'invalid YAML: Flow map in block collection must be sufficiently indented and end with a }',
  },
  // the quote opens at line 7 column 11 and is never closed; YAML notices at the end of the file
  { dir: 'yaml-unclosed-quote', code: 'CONFIG_PARSE', file: 'dev.yaml', line: 7, column: 11, message: 'invalid YAML: Missing closing "quote' },
  {
    dir: 'yaml-alias-bomb', code: 'CONFIG_PARSE', file: 'dev.yaml', line: 7,
    message: 'invalid YAML: its aliases expand to too many values (more than 100 expansions; a "billion laughs" document?)',
    hint: 'repeat the values instead of nesting aliases (*name) of aliases',
  },
  {
    dir: 'yaml-unresolved-alias', code: 'CONFIG_PARSE', file: 'dev.yaml', line: 8,
    message: 'invalid YAML: alias *split has no anchor &split before it',
    hint: 'define &split on a value above this line, or write the value out',
  },
  // the URL itself instead of the name of the variable that holds it
  { dir: 'alerts-bad-env', code: 'CONFIG_INVALID', file: 'dev.yaml', line: 6, message: 'alerts.webhook_env: expected the name of an environment variable holding the webhook URL, e.g. XP_ALERT_URL' },
  { dir: 'date-not-calendar', code: 'CONFIG_INVALID', file: 'dev.yaml', line: 10, message: 'experiments.exp_ok.start: 2026-02-30 is not a calendar date (YYYY-MM-DD)' },
  { dir: 'days-too-many', code: 'CONFIG_INVALID', file: 'dev.yaml', line: 11, message: 'experiments.exp_ok.days: expected at most 3660 days (ten years)' },
  { dir: 'pre-period-too-long', code: 'CONFIG_INVALID', file: 'experiments/long_pre.yml', line: 8, message: 'pre_period_days: expected at most 3660 days (ten years)' },
  {
    dir: 'target-is-file', code: 'CONFIG_INVALID', file: 'dev.yaml', line: 4,
    message: `target_dir "out": ${path.join(FIXTURES, 'configs/target-is-file/out')} is a file, not a folder`,
    hint: `move the file ${path.join(FIXTURES, 'configs/target-is-file/out')} out of the way, or set target_dir in the config to another folder (xp writes the warehouse, compiled SQL, run results and memos there)`,
  },
  {
    dir: 'target-under-file', code: 'CONFIG_INVALID', file: 'dev.yaml', line: 4,
    message: `target_dir "notes.txt/target": cannot create the folder ${path.join(FIXTURES, 'configs/target-under-file/notes.txt/target')}: ${path.join(FIXTURES, 'configs/target-under-file/notes.txt')} is a file`,
  },
];

const loadError = (dir: string): XpError => loadConfigError(dir, 'dev.yaml');

describe('loadConfig: one broken config per error class', () => {
  it.each(cases)('$dir → $code at $file:$line', (c) => {
    const dir = path.join(FIXTURES, 'configs', c.dir);
    const err = loadError(dir);
    expect(err.code).toBe(c.code);
    expect(err.message).toBe(c.message);
    expect(err.location.file).toBe(path.join(dir, c.file));
    expect(err.location.line).toBe(c.line);
    if (c.column !== undefined) expect(err.location.column).toBe(c.column);
    if (c.hint !== undefined) expect(err.hint).toBe(c.hint);
    expect(err.exitCode).toBe(2);
  });

  it.each(cases)('xp ls in $dir exits 2 and prints file:line and the message', async (c) => {
    const dir = path.join(FIXTURES, 'configs', c.dir);
    const r = await xp(dir, 'ls', '--config', 'dev.yaml');
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    const where = `${path.join(dir, c.file)}:${c.line}${c.column !== undefined ? `:${c.column}` : ''}`;
    const first = r.stderr.split('\n')[0]!;
    expect(first.startsWith(`error[${c.code}] ${where}`)).toBe(true);
    expect(first.endsWith(`: ${c.message}`)).toBe(true);
    expect(r.stderr).toMatch(/\n {2}hint: \S/);
  });

  it('an invalid id is shown JSON-quoted and never as a location experiment', () => {
    const err = loadError(path.join(FIXTURES, 'configs', 'id-quote'));
    expect(err.location.experiment).toBeUndefined();
    expect(err.location.object).toBeUndefined();
  });

  it('a missing config file is CONFIG_NOT_FOUND, exit 2', async () => {
    const dir = path.join(FIXTURES, 'configs', 'unknown-key');
    const r = await xp(dir, 'ls', '--config', 'nope.yaml');
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n')[0]).toBe(`error[CONFIG_NOT_FOUND] ${path.join(dir, 'nope.yaml')}: cannot read ${path.join(dir, 'nope.yaml')}`);
  });
});

describe('loadConfig: valid configs', () => {
  it('resolves experiments with control, treatments, metric names and defaults', () => {
    const config = loadConfig('configs/dev.yaml', path.join(FIXTURES, 'projects', 'mini'));
    expect(config.experiments.map((e) => e.id)).toEqual(['exp_a', 'exp_b']);
    const a = config.experiments[0]!;
    expect(a.control).toBe('control');
    expect(a.treatments).toEqual(['treatment']);
    expect(a.metricNames).toEqual(['conversion']);
    expect(a.start).toBe('2026-01-01');
    expect(a.line).toBe(13); // the line of the `exp_a:` key
    expect(config.storage.cache).toBe('target/cache');
    expect(config.vars).toEqual({ min_value: 0 });
  });

  it('the shipped configs load: three experiments, one with three variants', () => {
    const config = loadConfig('configs/dev.yaml', REPO_ROOT);
    const ids = config.experiments.map((e) => e.id);
    expect(ids).toEqual(expect.arrayContaining(['exp_checkout_button_001', 'exp_add_cart_002', 'exp_pricing_test_003']));
    expect(config.experiments.some((e) => Object.keys(e.variants).length === 3)).toBe(true);
    for (const e of config.experiments) expect(e.synth).toBeDefined();
  });
});
