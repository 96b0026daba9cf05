/** Terminal output: tables, rows, per-step lines, the live status line on a terminal, the summary. */
import { describe, expect, it } from 'vitest';
import { textTable } from '../../src/core/format.ts';
import { formatRows } from '../../src/cli/print/rows.ts';
import { buildReporter, buildSummary } from '../../src/cli/print/build-reporter.ts';
import type { StepResult } from '../../src/core/results.ts';
import type { PlanStep } from '../../src/plan/plan.ts';

const step: PlanStep = { experimentId: 'exp_a', model: 'exposures', materialized: 'partitioned', stage: 'ingest', action: 'build', reason: 'new', fingerprint: 'f', sql: 'select 1' };
const ok: StepResult = { experimentId: 'exp_a', node: 'exposures', stage: 'ingest', status: 'success', rows: 12345, seconds: 1.234 };
const fresh: StepResult = { ...ok, status: 'skipped', reason: 'fresh', rows: undefined, seconds: 0 };
const failed: StepResult = { ...ok, status: 'error', code: 'MODEL_FAILED', message: 'model exposures failed: boom', file: '/p/target/compiled/exp_a/exposures.sql' };
const blocked: StepResult = { ...ok, node: 'outcomes', status: 'skipped', reason: 'upstream-failed', upstream: 'exposures', rows: undefined, seconds: 0 };

function capture(isTTY: boolean) {
  let text = '';
  return { out: { write: (s: string) => void (text += s), isTTY }, text: () => text };
}

describe('textTable', () => {
  it('aligns columns, prints NULL and cuts cells at 60 characters', () => {
    expect(textTable(['a', 'long_name'], [[1, null], ['x'.repeat(70), 'y']])).toBe([
      `a${' '.repeat(59)}  long_name`,
      `${'-'.repeat(60)}  ---------`,
      `1${' '.repeat(59)}  NULL`,
      `${'x'.repeat(59)}…  y`,
    ].join('\n'));
  });
});

describe('formatRows', () => {
  const rows = [{ id: 1, tags: ['a', 'b'], note: 'x,"y"' }];
  it('json, csv and table agree on content', () => {
    expect(JSON.parse(formatRows(['id', 'tags', 'note'], rows, 'json'))).toEqual(rows);
    expect(formatRows(['id', 'tags', 'note'], rows, 'csv')).toBe('id,tags,note\n1,"[""a"",""b""]","x,""y"""');
    expect(formatRows(['id', 'tags', 'note'], rows, 'table')).toBe('id  tags       note\n--  ---------  -----\n1   ["a","b"]  x,"y"\n(1 row)');
  });
});

describe('buildReporter', () => {
  it('off a terminal: the plan, one line per built or failed step, blocked steps, warnings; no escape codes', () => {
    const c = capture(false);
    const r = buildReporter(c.out);
    r({ type: 'plan', steps: [step, { ...step, model: 'outcomes', action: 'skip', reason: 'fresh' }], experiments: ['exp_a'], analyses: ['ab', 'srm'], memo: false });
    r({ type: 'step-start', experimentId: 'exp_a', node: 'exposures', stage: 'ingest' });
    r({ type: 'step-end', result: ok });
    r({ type: 'step-end', result: fresh });
    r({ type: 'step-end', result: failed });
    r({ type: 'step-end', result: blocked });
    r({ type: 'warning', experimentId: 'exp_a', message: 'pretrends: not enough days' });
    expect(c.text()).toBe([
      'plan: 1 to build, 1 up to date, 0 skipped, then 2 analyses for exp_a (4 steps)',
      '1/4 OK   exp_a exposures 12,345 rows in 1.23s',
      '2/4 SKIP exp_a exposures fresh',
      '3/4 FAIL exp_a exposures MODEL_FAILED: model exposures failed: boom',
      '         compiled SQL: /p/target/compiled/exp_a/exposures.sql',
      '4/4 SKIP exp_a outcomes upstream exposures failed',
      'warning exp_a: pretrends: not enough days',
      '',
    ].join('\n'));
  });

  it('verbose prints every planned step and skipped steps', () => {
    const c = capture(false);
    const r = buildReporter(c.out, { verbose: true });
    r({ type: 'plan', steps: [step], experiments: ['exp_a'], analyses: [], memo: false });
    r({ type: 'step-end', result: fresh });
    expect(c.text()).toBe('plan: 1 to build, 0 up to date, 0 skipped (1 step)\n  build exp_a exposures [partitioned, ingest] new\n1/1 SKIP exp_a exposures fresh\n');
  });

  it('on a terminal: a live progress line that is cleared before the step line', () => {
    const c = capture(true);
    const r = buildReporter(c.out);
    r({ type: 'plan', steps: Array.from({ length: 10 }, (_, i) => ({ ...step, model: `m${i}` })), experiments: ['exp_a'], analyses: [], memo: false });
    for (let i = 0; i < 5; i++) r({ type: 'step-end', result: { ...ok, node: `m${i}` } });
    r({ type: 'step-start', experimentId: 'exp_a', node: 'exposures', stage: 'ingest' });
    r({ type: 'step-end', result: ok });
    const text = c.text();
    // no width given: 80 columns, so the bar is shorter and the rate left out
    expect(text).toContain('\r\x1b[2K[█████░░░░░] 6/10 exp_a exposures · 0.00s · 61,725 rows · ETA 6.17s\r\x1b[2K');
    expect(text.endsWith('\r\x1b[2K 6/10 OK   exp_a exposures 12,345 rows in 1.23s\n')).toBe(true);
  });
});

describe('buildSummary', () => {
  it('counts the steps built, up to date, skipped and failed; ephemeral models are no steps; the lake apart', () => {
    const ephemeral: StepResult = { ...ok, node: 'stg', experimentId: null, status: 'skipped', reason: 'ephemeral', rows: undefined, seconds: 0 };
    expect(buildSummary([ok, ok, fresh, failed, blocked, ephemeral], 12.345)).toBe('done in 12.3s, 5 steps: 2 built, 1 up to date, 1 skipped, 1 failed');
    const published: StepResult = { ...ok, node: 'publish:exposures', stage: 'publish', reason: 'published' };
    expect(buildSummary([ok, published], 1)).toBe('done in 1.00s, 1 step: 1 built, 0 up to date, 0 skipped, 0 failed; lake: 1 published, 0 failed');
  });
});
