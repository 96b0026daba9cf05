/**
 * One broken project per model/plugin error class under tests/fixtures/projects/broken-*:
 * each fails to load (or compile) with the exact message, names the file, and exits 2.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { XpError } from '../../src/core/errors.ts';
import { loadProject } from '../../src/runner/load-project.ts';
import { fixtureProject, type TempProject } from '../helpers/project.ts';
import { xp } from '../helpers/cli.ts';
import { existsSync } from 'node:fs';

interface Case {
  readonly project: string;
  readonly code: string;
  readonly message: string;
  readonly where: string;
  readonly hint: string;
  /** fails when rendering (compile/build), not when loading */
  readonly atRender?: boolean;
}

const cases: readonly Case[] = [
  {
    project: 'broken-cycle', code: 'MODEL_CYCLE',
    message: 'models form a cycle: a → b → c → a',
    where: 'models/core/a.sql, models/core/b.sql, models/core/c.sql',
    hint: 'a model cannot depend on itself, directly or through others; remove one of these refs',
  },
  {
    project: 'broken-unknown-ref', code: 'MODEL_REF_UNKNOWN',
    message: 'model user_totals refs "user_value", which is not a model',
    where: 'models/core/user_totals.sql · model user_totals',
    hint: 'did you mean "user_values"?',
  },
  {
    project: 'broken-template-syntax', code: 'TEMPLATE_ERROR',
    message: "invalid template: Parse error on line 5: Expecting 'OPEN_INVERSE_CHAIN', 'INVERSE', 'OPEN_ENDBLOCK', got 'EOF'",
    where: 'models/core/per_metric.sql:5',
    hint: 'fix the {{...}} syntax',
  },
  {
    project: 'broken-header-key', code: 'MODEL_INVALID',
    message: 'invalid build settings in the header comment: unknown key "materialised"',
    where: 'models/core/user_values.sql:3', // the line of the unknown key
    hint: 'did you mean "materialized"? allowed keys: materialized (view|table|ephemeral|partitioned), stage (ingest|dq|metrics), tags, enabled',
  },
  {
    project: 'broken-properties-key', code: 'MODEL_INVALID',
    message: 'unknown key "desciption" in model properties',
    where: 'models/core/user_values.yml:5',
    hint: 'did you mean "description"? allowed keys: description, columns, tests, unit_tests, meta',
  },
  {
    project: 'broken-duplicate-model', code: 'MODEL_INVALID',
    message: 'two models are named "totals"',
    where: 'models/marts/totals.sql',
    hint: 'rename one of models/core/totals.sql and models/marts/totals.sql: model names are table names and must be unique',
  },
  {
    project: 'broken-plugin-name', code: 'PLUGIN_INVALID',
    message: 'plugin name "srm" does not match its file name "srm_check"',
    where: 'analyses/srm_check.ts',
    hint: "set name: 'srm_check' or rename the file",
  },
  {
    project: 'broken-partition-in-view', code: 'TEMPLATE_ERROR', atRender: true,
    message: 'cannot render: {{partition}} is only available in partitioned models (materialized: partitioned)',
    where: 'models/core/summary.sql',
    hint: 'check the {{...}} expressions; variables available: experiment, metrics, vars',
  },
];

let p: TempProject | undefined;
afterEach(() => p?.remove());

describe('broken projects', () => {
  it.each(cases.filter((c) => !c.atRender))('$project fails to load with $code', async (c) => {
    p = fixtureProject(c.project);
    const err = await loadProject('configs/dev.yaml', p.root).then(
      () => { throw new Error('loaded without an error'); },
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(XpError);
    expect((err as XpError).code).toBe(c.code);
    expect((err as XpError).message).toBe(c.message);
    expect((err as XpError).hint).toBe(c.hint);
  });

  it.each(cases)('xp compile in $project exits 2 naming $where, and writes nothing', async (c) => {
    p = fixtureProject(c.project);
    const r = await xp(p.root, 'compile', '--select', 'exp_a');
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`error[${c.code}] ${c.where}: ${c.message}\n  hint: ${c.hint}\n`);
    expect(existsSync(p.file('target'))).toBe(false);
  });
});
