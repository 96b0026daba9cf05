/** The terminal build reporter: result lines, and the live line's rows, rate and ETA. */
import { describe, expect, it } from 'vitest';
import { buildReporter } from '../../src/cli/print/build-reporter.ts';
import type { PlanStep } from '../../src/plan/plan.ts';

const step = (model: string): PlanStep => ({
  experimentId: 'exp_a', model, materialized: 'partitioned', stage: 'ingest', action: 'build', reason: 'new', fingerprint: 'f', sql: 'select 1',
});

function capture(isTTY: boolean): { out: { write(s: string): void; isTTY: boolean }; text(): string } {
  let text = '';
  return { out: { write: (s: string) => void (text += s), isTTY }, text: () => text };
}

describe('buildReporter', () => {
  it('on a terminal, draws a live line with rows so far, a rate and an ETA', () => {
    const c = capture(true);
    const report = buildReporter(c.out);
    report({ type: 'step-start', step: step('a'), index: 0, total: 4 });
    report({ type: 'step-end', result: { experimentId: 'exp_a', node: 'a', stage: 'ingest', status: 'success', rows: 1500, seconds: 0.5 }, index: 0, total: 4 });
    report({ type: 'step-start', step: step('b'), index: 1, total: 4 });
    const live = c.text().split('\r\x1b[2K').at(-1)!;
    expect(live).toMatch(/^\[█{5}░{15}\] 2\/4 exp_a b /);
    expect(live).toContain('1,500 rows');
    expect(live).toMatch(/rows\/s/);
    expect(live).toMatch(/ETA \d+\.\d+s/);
    expect(c.text()).toContain('1/4 OK   exp_a a 1,500 rows in 0.50s\n');
  });

  it('off a terminal, prints plain lines only', () => {
    const c = capture(false);
    const report = buildReporter(c.out);
    report({ type: 'step-start', step: step('a'), index: 0, total: 1 });
    report({ type: 'step-end', result: { experimentId: 'exp_a', node: 'a', stage: 'ingest', status: 'error', seconds: 0.1, message: 'boom', code: 'MODEL_FAILED' }, index: 0, total: 1 });
    expect(c.text()).not.toContain('\r');
    expect(c.text()).toContain('1/1 FAIL exp_a a MODEL_FAILED: boom');
  });
});
