/** "Did you mean": the edit distance, and the hints of unknown config keys and metric names. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { XpError } from '../../src/core/errors.ts';
import { loadConfig } from '../../src/project/load-config.ts';
import { projectConfigSchema } from '../../src/project/config-schema.ts';
import { closestNames, didYouMean, editDistance } from '../../src/project/suggest.ts';

describe('editDistance / closestNames', () => {
  it.each([
    ['hypothsis', 'hypothesis', 1],
    ['metrcis', 'metrics', 1], // a swap of neighbours is one edit
    ['', 'abc', 3],
    ['same', 'same', 0],
    ['revenue', 'retention', 5],
  ] as const)('%s → %s: %i', (a, b, d) => {
    expect(editDistance(a, b)).toBe(d);
  });

  it('keeps names within a third of the length (at least 1), closest first, never the name itself', () => {
    expect(closestNames('metrcs', ['dq', 'metrics', 'memo'])).toEqual(['metrics']);
    expect(closestNames('dq', ['dq', 'ab'])).toEqual([]);
    expect(closestNames('nope', ['dq', 'metrics', 'memo'])).toEqual([]);
    expect(didYouMean('stg', ['stage'])).toBeUndefined();
    expect(didYouMean('tgas', ['tags', 'stage'])).toBe('did you mean "tags"?');
  });
});

const BASE = `metrics:
  conversion: { type: binomial, event: purchase }
  revenue: { type: mean, event: purchase, value: value }
experiments:
  exp_ok:
    name: Valid apart from one key
    variants: { control: 0.5, treatment: 0.5 }
    primary_metric: conversion
    start: 2026-01-05
    days: 14
`;

function configError(from: string, to: string): XpError {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'xp-suggest-'));
  const text = BASE.replace(from, to);
  expect(text).not.toBe(BASE);
  writeFileSync(path.join(dir, 'dev.yaml'), text);
  try {
    loadConfig('dev.yaml', dir);
  } catch (err) {
    if (err instanceof XpError) return err;
    throw err;
  }
  throw new Error('the config loaded');
}

const REF = '(see the config reference in README.md)';

describe('unknown config keys say which key was meant', () => {
  it.each([
    ['an experiment key', '    days: 14\n', '    days: 14\n    hypothsis: a typo\n', 11, 'unknown key "hypothsis" in experiments.exp_ok', `did you mean "hypothesis"? ${REF}`],
    ['a top-level key', 'metrics:\n', 'warehose: x.duckdb\nmetrics:\n', 1, 'unknown key "warehose"', `did you mean "warehouse"? ${REF}`],
    ['a nested block', 'metrics:\n', 'storage: { rw: file://x }\nmetrics:\n', 1, 'unknown key "rw" in storage', `did you mean "raw"? ${REF}`],
    ['a key of the metric\'s own type', 'value: value }', 'value: value, cap_quantle: 0.9 }', 3, 'unknown key "cap_quantle" in metrics.revenue', `did you mean "cap_quantile"? ${REF}`],
    // a misspelt required key: the typo, not "missing required key"
    ['a misspelt required key', 'event: purchase }\n  revenue', 'evnt: purchase }\n  revenue', 2, 'unknown key "evnt" in metrics.conversion', `did you mean "event"? ${REF}`],
    ['a misspelt required synth key', '    days: 14\n', '    days: 14\n    synth: { n_user: 500 }\n', 11, 'unknown key "n_user" in experiments.exp_ok.synth', `did you mean "n_users"? ${REF}`],
  ] as const)('%s', (_what, from, to, line, message, hint) => {
    const err = configError(from, to);
    expect(err.code).toBe('CONFIG_INVALID');
    expect(err.message).toBe(message);
    expect(err.location.line).toBe(line);
    expect(err.hint).toBe(hint);
    expect(err.exitCode).toBe(2);
  });

  it('nothing close: the keys allowed there', () => {
    const err = configError('metrics:\n', 'colour: red\nmetrics:\n');
    expect(err.message).toBe('unknown key "colour"');
    // every top-level key of the schema, in its order (name, warehouse, target_dir, storage, …)
    expect(Object.keys(projectConfigSchema.shape).slice(0, 4)).toEqual(['name', 'warehouse', 'target_dir', 'storage']);
    expect(err.hint).toBe(`remove or rename the key; allowed here: ${Object.keys(projectConfigSchema.shape).join(', ')}; see the config reference in README.md`);
  });

  it('a misspelt metric name', () => {
    const err = configError('primary_metric: conversion', 'primary_metric: conversoin');
    expect(err.message).toBe('experiment exp_ok: metric "conversoin" does not exist');
    expect(err.hint).toBe('did you mean "conversion"? define it under metrics: or use one of: conversion, revenue');
  });
});
