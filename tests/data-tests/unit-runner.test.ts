/** Model unit tests: fixtures in, row diff out, no warehouse. */
import { afterEach, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { loadProject } from '../../src/runner/load-project.ts';
import { runTests } from '../../src/data-tests/run-tests.ts';
import type { TestResult } from '../../src/data-tests/types.ts';
import { diffRows, formatDiff, sameValue } from '../../src/data-tests/unit/diff.ts';
import { testedProject, type Fixture } from './fixture.ts';

let f: Fixture | undefined;
afterEach(() => f?.remove());

async function unitResults(files: Readonly<Record<string, string>> = {}, models?: string): Promise<TestResult[]> {
  f = await testedProject([]);
  for (const [rel, text] of Object.entries(files)) f.write(rel, text);
  const outcome = await runTests(await loadProject('configs/dev.yaml', f.root), { types: new Set(['unit']), models });
  return [...outcome.results];
}

const EVENTS = `      - input: ref('stg_events')
        rows:
          - { experiment_id: exp_a, user_id: u1, variant: control, value: 2, ts: '2026-01-05 10:00:00' }
          - { experiment_id: exp_a, user_id: u2, variant: treatment, value: 0.1, ts: '2026-01-06 10:00:00' }
          - { experiment_id: exp_a, user_id: u2, variant: treatment, value: 0.2, ts: '2026-01-06 11:00:00' }
`;

describe('model unit tests', () => {
  it('pass on the fixture without a warehouse, and write the rendered SQL', async () => {
    const results = await unitResults();
    expect(results.map((r) => [r.id, r.status])).toEqual([
      ['user_values::sums_values_in_window', 'pass'],
      ['user_values::users_first_seen_before_start_are_dropped', 'pass'],
      ['variant_totals::one_row_per_variant', 'pass'],
    ]);
    expect(existsSync(f!.file('target/warehouse.duckdb'))).toBe(false);
    expect(f!.read('target/compiled/unit/user_values/sums_values_in_window.sql')).toContain('"given"."ref__stg_events"');
  });

  it('print a row diff when the output differs', async () => {
    const [r] = await unitResults({
      'tests/models/unit/user_values.yml': `unit_tests:
  - name: wrong_sum
    given:
${EVENTS}    expect:
      rows:
        - { user_id: u1, value: 2 }
        - { user_id: u2, value: 0.4 }
        - { user_id: u3, value: 1 }
`,
    }, 'user_values');
    expect(r!.status).toBe('fail');
    expect(r!.message).toBe('2 expected rows missing, 1 unexpected');
    expect(r!.detail).toBe(
      [
        'expected 3 rows, got 2: 2 missing (-), 1 unexpected (+)',
        '  user_id  value',
        '= u1       2',
        '- u2       0.4',
        '+ u2       0.30000000000000004',
        '- u3       1',
      ].join('\n'),
    );
  });

  it('compare numbers within the tolerance, and only the columns given', async () => {
    const [r] = await unitResults({
      'tests/models/unit/user_values.yml': `unit_tests:
  - name: float_sum
    given:
${EVENTS}    expect:
      rows:
        - { user_id: u2, value: 0.3, n_events: 2 }
        - { user_id: u1, value: 2, n_events: 1 }
`,
    }, 'user_values');
    expect([r!.status, r!.detail]).toEqual(['pass', undefined]);
  });

  it('compare in order when ordered: true, as multisets otherwise', () => {
    const expected = [{ u: 'a' }, { u: 'b' }];
    const actual = [{ u: 'b' }, { u: 'a' }];
    const ordered = diffRows(expected, actual, ['u'], { ordered: true, tolerance: 0 });
    expect(formatDiff(ordered, ['u'], { expected: 2, actual: 2 })).toBe(
      ['expected 2 rows, got 2: 2 missing (-), 2 unexpected (+)', '  u', '- a', '+ b', '- b', '+ a'].join('\n'),
    );
    expect(diffRows(expected, actual, ['u'], { ordered: false, tolerance: 0 }).matched).toBe(2);
  });

  it('treat nulls as equal and numbers within a relative tolerance', () => {
    expect(sameValue(null, undefined, 0)).toBe(true);
    expect(sameValue(null, 0, 0)).toBe(false);
    expect(sameValue(1e6, 1e6 + 1e-2, 1e-9)).toBe(false);
    expect(sameValue(1e6, 1e6 + 1e-4, 1e-9)).toBe(true);
    expect(sameValue('1', 1, 1)).toBe(false);
  });

  it('name the inputs that have no given rows', async () => {
    const [r] = await unitResults({
      'tests/models/unit/user_values.yml': 'unit_tests:\n  - name: no_inputs\n    expect: { rows: [] }\n',
    }, 'user_values');
    expect(r!.status).toBe('error');
    expect(r!.message).toBe("no given rows for ref('stg_events')");
  });

  it('take an ephemeral input as given, use declared types, inline experiment fields and vars', async () => {
    const [r] = await unitResults({
      'tests/models/unit/user_values.yml': `unit_tests:
  - name: given_first_seen
    experiment: { start: 2026-02-01, days: 1 }
    given:
      - input: ref('first_seen')
        rows:
          - { experiment_id: exp_a, user_id: u1, variant: control, first_ts: '2026-02-01 00:00:00' }
      - input: ref('stg_events')
        types: { value: double, ts: timestamp }
        rows:
          - { experiment_id: exp_a, user_id: u1, variant: control, value: null, ts: '2026-02-01 01:00:00' }
          - { experiment_id: exp_a, user_id: u1, variant: control, value: 4, ts: '2026-02-02 01:00:00' }
    expect:
      rows:
        - { user_id: u1, value: 0, n_events: 1 }
`,
    }, 'user_values');
    expect([r!.status, r!.message, r!.detail]).toEqual(['pass', undefined, undefined]);
  });

  it('report a model error on the given rows with a hint about columns', async () => {
    const [r] = await unitResults({
      'tests/models/unit/user_values.yml': `unit_tests:
  - name: missing_column
    given:
      - input: ref('stg_events')
        rows: [{ experiment_id: exp_a, user_id: u1, variant: control, value: 1 }]
    expect: { rows: [] }
`,
    }, 'user_values');
    expect(r!.status).toBe('error');
    expect(r!.message).toMatch(/^the model failed on the given rows: Binder Error: .*"ts"/);
  });
});
