/**
 * A primary metric on an event that never occurs (a typo such as `page_vew`) is a
 * data-quality failure naming the event and the events seen, and the decision is
 * investigate — never ship or dont-ship on an all-zero metric.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shippedProject } from '../helpers/shipped.ts';
import { xp } from '../helpers/cli.ts';
import { rows } from '../helpers/warehouse.ts';
import type { TempProject } from '../helpers/project.ts';

let p: TempProject;

beforeAll(async () => {
  p = shippedProject({ nUsers: 2000 });
  p.write('configs/dev.yaml', p.read('configs/dev.yaml').replace('    type: binomial\n    event: purchase\n', '    type: binomial\n    event: page_vew\n'));
  const r = await xp(p.root, 'build', '--select', 'exp_checkout_button_001', '--generate-synth', '--skip', 'memo');
  expect(r.code, r.stderr).toBe(0);
});
afterAll(() => p.remove());

describe('a primary metric whose event never occurs', () => {
  it('fails its error-severity DQ check, naming the event and the events seen', async () => {
    const [check] = await rows<{ status: string; severity: string; details: string }>(p.file('target/warehouse.duckdb'),
      "select status, severity, details from exp.dq_results where experiment_id = 'exp_checkout_button_001' and check_name = 'metric_events_conversion'");
    expect(check).toEqual({
      status: 'fail', severity: 'error',
      details: 'metric conversion reads event "page_vew", which occurs 0 times in the outcomes; events seen: bounce, page_view, purchase; threshold: at least 1',
    });
  });

  it('makes the decision investigate', async () => {
    const [d] = await rows<{ decision: string; rule: string; headline: string }>(p.file('target/warehouse.duckdb'),
      "select decision, rule, headline from exp.decisions where experiment_id = 'exp_checkout_button_001'");
    expect(d).toMatchObject({ decision: 'investigate', rule: 'untrustworthy' });
    expect(d!.headline).toContain('data-quality check metric_events_conversion failed');
  });
});
