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
    r({ type: 'plan', steps: [step, { ...step, action: 'skip', reason: 'fresh' }] });
    r({ type: 'step-start', step, index: 0, total: 12 });
    r({ type: 'step-end', result: ok, index: 0, total: 12 });
    r({ type: 'step-end', result: fresh, index: 1, total: 12 });
    r({ type: 'step-end', result: failed, index: 2, total: 12 });
    r({ type: 'step-end', result: blocked, index: 3, total: 12 });
    r({ type: 'warning', experimentId: 'exp_a', message: 'pretrends: not enough days' });
    expect(c.text()).toBe([
      'plan: 1 to build, 1 to skip',
      ' 1/12 OK   exp_a exposures 12,345 rows in 1.23s',
      ' 3/12 FAIL exp_a exposures MODEL_FAILED: model exposures failed: boom',
      '           compiled SQL: /p/target/compiled/exp_a/exposures.sql',
      ' 4/12 SKIP exp_a outcomes upstream exposures failed',
      'warning exp_a: pretrends: not enough days',
      '',
    ].join('\n'));
  });

  it('verbose prints every planned step and skipped steps', () => {
    const c = capture(false);
    const r = buildReporter(c.out, { verbose: true });
    r({ type: 'plan', steps: [step] });
    r({ type: 'step-end', result: fresh, index: 0, total: 1 });
    expect(c.text()).toBe('plan: 1 to build, 0 to skip\n  build exp_a exposures [partitioned, ingest] new\n1/1 SKIP exp_a exposures fresh\n');
  });

  it('on a terminal: a live progress line that is cleared before the step line', () => {
    const c = capture(true);
    const r = buildReporter(c.out);
    r({ type: 'step-start', step, index: 5, total: 10 });
    r({ type: 'step-end', result: ok, index: 5, total: 10 });
    const text = c.text();
    expect(text.startsWith('\r\x1b[2K[██████████░░░░░░░░░░] 6/10 exp_a exposures ')).toBe(true);
    expect(text.endsWith('\r\x1b[2K 6/10 OK   exp_a exposures 12,345 rows in 1.23s\n')).toBe(true);
  });
});

describe('buildSummary', () => {
  it('counts built, up to date, skipped and failed', () => {
    expect(buildSummary([ok, ok, fresh, failed, blocked], 12.345)).toBe('done in 12.3s: 2 built, 1 up to date, 1 skipped, 1 failed');
  });
});
