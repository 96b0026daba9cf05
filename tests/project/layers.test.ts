/**
 * Layers in the config: an unknown layer, traffic without a layer, a layer over 100% on a
 * day two windows share, a planted interaction naming nothing — each a CONFIG_INVALID
 * naming the file, line and experiment, and exit code 2 from the CLI; a full layer whose
 * windows do not overlap loads.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { XpError } from '../../src/core/errors.ts';
import { loadConfig } from '../../src/project/load-config.ts';
import { xp } from '../helpers/cli.ts';
import { configProject, loadConfigError } from '../helpers/config-error.ts';

let dir: string | undefined;
afterEach(() => { if (dir) rmSync(dir, { recursive: true, force: true }); dir = undefined; });

const experiment = (id: string, extra: string, start = '2026-01-05'): string => `  ${id}:
    name: ${id}
    variants: { control: 0.5, treatment: 0.5 }
    primary_metric: conversion
    start: ${start}
    days: 14
${extra}`;

function project(experiments: string, layers = 'layers:\n  checkout: { description: checkout pages }\n'): string {
  dir = configProject('xp-layers-', `metrics:
  conversion: { type: binomial, event: purchase }
${layers}experiments:
${experiments}`);
  return dir;
}

const loadError = (root: string): XpError => loadConfigError(root);

describe('layers in the config', () => {
  it('loads a layer whose experiments fit, and one whose full-traffic experiments do not overlap in time', () => {
    const root = project([
      experiment('exp_a', '    layer: checkout\n    traffic: 0.6\n'),
      experiment('exp_b', '    layer: checkout\n    traffic: 0.4\n'),
      experiment('exp_c', '    layer: checkout\n', '2026-01-19'),
    ].join(''));
    const c = loadConfig('configs/dev.yaml', root);
    expect(c.experiments.map((e) => [e.id, e.layer, e.traffic])).toEqual([['exp_a', 'checkout', 0.6], ['exp_b', 'checkout', 0.4], ['exp_c', 'checkout', undefined]]);
  });

  it('refuses a layer over 100% on a shared day, naming the experiments and their shares', async () => {
    const root = project([
      experiment('exp_a', '    layer: checkout\n    traffic: 0.6\n'),
      experiment('exp_b', '    layer: checkout\n    traffic: 0.5\n', '2026-01-12'),
    ].join(''));
    const err = loadError(root);
    expect(err.code).toBe('CONFIG_INVALID');
    expect(err.message).toBe('layer checkout is over 100% on 2026-01-12: exp_a (60%) + exp_b (50%) = 110%');
    expect(err.location).toMatchObject({ file: path.join(root, 'configs/dev.yaml'), line: 14, experiment: 'exp_b' });
    expect(err.hint).toMatch(/xp schedule/);
    const r = await xp(root, 'schedule');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('layer checkout is over 100%');
  });

  it('refuses an unknown layer with the closest name', () => {
    const err = loadError(project(experiment('exp_a', '    layer: chekout\n')));
    expect(err.message).toBe('experiment exp_a: layer "chekout" is not defined');
    expect(err.hint).toMatch(/^did you mean "checkout"\?/);
    expect(err.location?.line).toBe(12);
  });

  it('refuses a layer reference when the project defines no layers', () => {
    const err = loadError(project(experiment('exp_a', '    layer: checkout\n'), ''));
    expect(err.message).toBe('experiment exp_a: layer "checkout" is not defined');
    expect(err.hint).toMatch(/define it under layers:/);
  });

  it('refuses traffic without a layer, and traffic above 1', () => {
    expect(loadError(project(experiment('exp_a', '    traffic: 0.5\n'))).message).toBe('experiment exp_a: traffic is a share of a layer, but the experiment has no layer');
    expect(loadError(project(experiment('exp_a', '    layer: checkout\n    traffic: 1.5\n'))).message).toMatch(/^experiments\.exp_a\.traffic: /);
  });

  it('refuses a planted interaction with an unknown experiment or variant', () => {
    const synth = (w: string, v: string): string => `    synth: { n_users: 100, interaction: { with: ${w}, variant: ${v}, lift_conversion: -0.5 } }\n`;
    const b = experiment('exp_b', '    synth: { n_users: 100 }\n');
    expect(loadError(project(experiment('exp_a', synth('exp_x', 'treatment')) + b)).message).toBe('experiment exp_a: synth.interaction.with "exp_x" is not another experiment with a synth: block');
    expect(loadError(project(experiment('exp_a', synth('exp_b', 'widget')) + b)).message).toBe('experiment exp_a: synth.interaction.variant "widget" is not a variant of exp_b');
  });
});
