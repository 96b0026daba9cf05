/** Test specs: what the fixture declares, and each malformed spec's exact error with file:line. */
import { afterEach, describe, expect, it } from 'vitest';
import { XpError, formatError } from '../../src/core/errors.ts';
import { loadProject } from '../../src/runner/load-project.ts';
import { loadTestSpecs } from '../../src/data-tests/spec/load-tests.ts';
import { testedProject, type Fixture } from './fixture.ts';

let f: Fixture | undefined;
afterEach(() => f?.remove());

async function specsOf(edit?: (f: Fixture) => void): Promise<ReturnType<typeof loadTestSpecs>> {
  f = await testedProject([]);
  edit?.(f);
  return loadTestSpecs(await loadProject('configs/dev.yaml', f.root));
}

async function errorOf(edit: (f: Fixture) => void): Promise<string> {
  try {
    await specsOf(edit);
  } catch (err) {
    expect(err).toBeInstanceOf(XpError);
    expect((err as XpError).code).toBe('MODEL_INVALID');
    return formatError(err);
  }
  throw new Error('expected an error');
}

const USER_VALUES = `columns:
  - name: user_id
    tests:
`;

describe('test specs', () => {
  it('reads generic, singular and unit tests with their locations', async () => {
    const specs = await specsOf();
    expect(specs.data.map((t) => `${t.id} @ ${t.location.file}:${t.location.line} [${t.severity}]`)).toEqual([
      'not_null_stg_events_user_id @ models/staging/stg_events.yml:6 [error]',
      'not_null_user_values_user_id @ models/core/user_values.yml:6 [error]',
      'unique_user_values_user_id @ models/core/user_values.yml:7 [error]',
      'relationships_user_values_user_id @ models/core/user_values.yml:8 [error]',
      'accepted_values_user_values_variant @ models/core/user_values.yml:12 [error]',
      'accepted_range_user_values_value @ models/core/user_values.yml:16 [error]',
      'value_below_1000 @ models/core/user_values.yml:17 [warn]',
      'row_count_user_values @ models/core/user_values.yml:19 [error]',
      'unique_user_values_experiment_id__user_id @ models/core/user_values.yml:20 [error]',
      'not_null_variant_totals_variant @ models/marts/variant_totals.yml:5 [error]',
      'unique_variant_totals_variant @ models/marts/variant_totals.yml:6 [error]',
      'expression_is_true_variant_totals_users @ models/marts/variant_totals.yml:9 [error]',
      'row_count_variant_totals @ models/marts/variant_totals.yml:11 [error]',
      'totals_match_users @ tests/models/singular/totals_match_users.sql:1 [error]',
    ]);
    const singular = specs.data.find((t) => t.type === 'singular')!;
    expect(singular.model).toBe('variant_totals'); // the last of its refs to build
    expect(specs.unit.map((u) => `${u.id} @ ${u.location.file}:${u.location.line}`)).toEqual([
      'user_values::sums_values_in_window @ tests/models/unit/user_values.yml:2',
      'user_values::users_first_seen_before_start_are_dropped @ tests/models/unit/user_values.yml:15',
      'variant_totals::one_row_per_variant @ models/marts/variant_totals.yml:13',
    ]);
  });

  it('accepts severity and where under config: (dbt 1.8) and names repeated tests _2', async () => {
    const specs = await specsOf((f) =>
      f.write('models/core/user_values.yml', `${USER_VALUES}      - not_null: { config: { severity: warn, where: "variant = 'control'" } }\n      - not_null\n`),
    );
    const mine = specs.data.filter((t) => t.model === 'user_values');
    expect(mine.map((t) => [t.id, t.severity, t.where])).toEqual([
      ['not_null_user_values_user_id', 'warn', "variant = 'control'"],
      ['not_null_user_values_user_id_2', 'error', undefined],
    ]);
  });

  it('merges inline experiment fields over the configured experiment, keeping the fields not written', async () => {
    const specs = await specsOf((f) => {
      f.write('configs/dev.yaml', f.read('configs/dev.yaml').replace('    primary_metric: conversion\n    start: 2026-01-05\n    days: 7\n  exp_b:', '    primary_metric: conversion\n    guardrails: [conversion]\n    alpha: 0.1\n    start: 2026-01-05\n    days: 7\n  exp_b:'));
      f.write('tests/models/unit/user_values.yml', 'unit_tests:\n  - name: t\n    experiment: { days: 3, variants: { a: 0.5, b: 0.5 } }\n    expect: { rows: [] }\n');
    });
    const e = specs.unit.find((u) => u.name === 't')!.experiment!;
    expect([e.id, e.name, e.start, e.days, e.alpha, e.guardrails, e.control, e.treatments, e.metricNames]).toEqual(['exp_a', 'A', '2026-01-05', 3, 0.1, ['conversion'], 'a', ['b'], ['conversion']]);
  });

  const bad: [string, string, string, string][] = [
    [
      'an unknown test',
      'models/core/user_values.yml',
      `${USER_VALUES}      - not_nul\n`,
      'error[MODEL_INVALID] models/core/user_values.yml:4 · model user_values: unknown test "not_nul"',
    ],
    [
      'an unknown argument',
      'models/core/user_values.yml',
      `${USER_VALUES}      - accepted_values: { values: [a], valeus: [b] }\n`,
      'error[MODEL_INVALID] models/core/user_values.yml:4 · model user_values: test accepted_values: unknown argument "valeus"',
    ],
    [
      'a missing argument',
      'models/core/user_values.yml',
      `${USER_VALUES}      - relationships: { field: user_id }\n`,
      'error[MODEL_INVALID] models/core/user_values.yml:4 · model user_values: test relationships: to: Invalid input: expected string, received undefined',
    ],
    [
      'a column test at model level',
      'models/core/user_values.yml',
      'tests:\n  - not_null\n',
      'error[MODEL_INVALID] models/core/user_values.yml:2 · model user_values: not_null is a column test: declare it under columns: - name: <column> tests:',
    ],
    [
      'relationships to an unknown model',
      'models/core/user_values.yml',
      `${USER_VALUES}      - relationships: { to: ref('exposures'), field: user_id }\n`,
      'error[MODEL_INVALID] models/core/user_values.yml:4 · model user_values: relationships: "exposures" is not a model',
    ],
    [
      'a bad severity',
      'models/core/user_values.yml',
      `${USER_VALUES}      - not_null:\n          severity: fatal\n`,
      'error[MODEL_INVALID] models/core/user_values.yml:5 · model user_values: test not_null: severity: Invalid option: expected one of "error"|"warn"',
    ],
    [
      'a unit test input that the model does not read',
      'tests/models/unit/user_values.yml',
      "unit_tests:\n  - name: t\n    given:\n      - input: ref('variant_totals')\n        rows: [{ a: 1 }]\n    expect: { rows: [] }\n",
      "error[MODEL_INVALID] tests/models/unit/user_values.yml:4 · model user_values: unit test t: ref('variant_totals') is not an input of user_values",
    ],
    [
      'a unit test with neither rows nor sql',
      'tests/models/unit/user_values.yml',
      "unit_tests:\n  - name: t\n    given:\n      - input: ref('stg_events')\n    expect: { rows: [] }\n",
      'error[MODEL_INVALID] tests/models/unit/user_values.yml:4 · model user_values: unit test: given.0: give either rows: or sql:',
    ],
    [
      'a unit test with an empty input and no types',
      'tests/models/unit/user_values.yml',
      "unit_tests:\n  - name: t\n    given:\n      - input: ref('stg_events')\n        rows: []\n    expect: { rows: [] }\n",
      'error[MODEL_INVALID] tests/models/unit/user_values.yml:5 · model user_values: unit test t: ref(\'stg_events\') has no rows, so its columns are unknown',
    ],
    [
      'a unit test of an unknown experiment',
      'tests/models/unit/user_values.yml',
      'unit_tests:\n  - name: t\n    experiment: exp_zz\n    expect: { rows: [] }\n',
      'error[MODEL_INVALID] tests/models/unit/user_values.yml:3 · model user_values: unit test t: experiment "exp_zz" is not configured',
    ],
    [
      'a singular test that refs no model',
      'tests/models/singular/nothing.sql',
      'select 1 where false\n',
      'error[MODEL_INVALID] tests/models/singular/nothing.sql:1: a singular test must {{ref}} the model(s) it checks',
    ],
  ];
  it.each(bad)('rejects %s', async (_name, file, text, message) => {
    const out = await errorOf((f) => f.write(file, text));
    expect(out.split('\n')[0]).toBe(message);
  });
});
