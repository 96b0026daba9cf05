/**
 * `policy:` in the config: a valid policy loads with its defaults; a policy nobody could
 * act under, one that restricts actions nobody could approve, and an unknown action are
 * each a CONFIG_INVALID naming the file, the policy's line and the experiment's key path.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { XpError } from '../../src/core/errors.ts';
import { loadConfig } from '../../src/project/load-config.ts';
import { configProject, loadConfigError } from '../helpers/config-error.ts';

let dir: string | undefined;
afterEach(() => { if (dir) rmSync(dir, { recursive: true, force: true }); dir = undefined; });

function project(policy: string): string {
  dir = configProject('xp-policy-', `metrics:
  conversion: { type: binomial, event: purchase }
experiments:
  exp_a:
    name: A
    variants: { control: 0.5, treatment: 0.5 }
    primary_metric: conversion
    start: 2026-01-05
    days: 14
    policy: ${policy}
`);
  return dir;
}

const loadError = (root: string): XpError => loadConfigError(root);

describe('policy in the config', () => {
  it('loads a policy, defaulting the lists', () => {
    const c = loadConfig('configs/dev.yaml', project('{ owners: [alice], approvers: [bob], approve: [stop, accept-config-change] }'));
    expect(c.experiments[0]!.policy).toEqual({ owners: ['alice'], approvers: ['bob'], approve: ['stop', 'accept-config-change'] });
    expect(loadConfig('configs/dev.yaml', project('{ owners: [alice] }')).experiments[0]!.policy).toEqual({ owners: ['alice'], approvers: [], approve: [] });
  });

  it.each([
    ['{ approve: [stop] }', 'a policy needs at least one owner or approver'],
    ['{ owners: [alice], approve: [stop] }', 'policy.approve lists actions but policy.approvers is empty'],
    ['{ owners: [alice], approvers: [bob], approve: [ship] }', 'policy.approve.0: Invalid option: expected one of "start"|"pause"|"resume"|"complete"|"stop"|"cancel"|"accept-config-change"'],
  ])('refuses %s', (policy, message) => {
    const e = loadError(project(policy));
    expect(e.code).toBe('CONFIG_INVALID');
    expect(e.exitCode).toBe(2);
    expect(e.location.file).toContain('dev.yaml');
    expect(e.location.line).toBe(10); // the policy: line
    expect(e.message).toMatch(/^experiments\.exp_a\.policy/);
    expect(`${e.message} ${e.hint ?? ''}`).toContain(message);
  });
});
