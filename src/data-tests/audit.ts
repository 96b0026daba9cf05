/**
 * Data tests as build audits (SQLMesh's audits): a model's tests run on its new rows
 * inside the build transaction, before they replace the old ones. An error-severity
 * failure throws, so the transaction rolls back and the previous good partition stays;
 * a warn-severity failure is reported and the rows are kept.
 */
import type { Reporter } from '../core/events.ts';
import type { Db } from '../engine/connection.ts';
import { XpError } from '../core/errors.ts';
import type { PlanStep } from '../plan/plan.ts';
import type { Project } from '../workspace/project.ts';
import { runDataTest } from './run-data-test.ts';
import { loadTestSpecs } from './spec/load-tests.ts';
import type { DataTest, TestResult } from './types.ts';

export type Audit = (db: Db, relation: string) => Promise<void>;

function summary(r: TestResult): string {
  return `${r.id} (${r.status === 'error' ? `test error: ${r.message}` : r.message})`;
}

export function auditForTests(project: Project, tests: readonly DataTest[], reporter: Reporter): (step: PlanStep) => Audit | undefined {
  const byModel = new Map<string, DataTest[]>();
  for (const t of tests) byModel.set(t.model, [...(byModel.get(t.model) ?? []), t]);
  return (step) => {
    const mine = byModel.get(step.model);
    if (!mine?.length) return undefined;
    const experiment = step.experimentId === null ? undefined : project.config.experiments.find((e) => e.id === step.experimentId);
    return async (db, relation) => {
      const failed: TestResult[] = [];
      for (const test of mine) {
        const r = await runDataTest(project, test, { db, experiment, relation });
        if (r.status === 'pass') continue;
        if (test.severity === 'warn') {
          reporter({ type: 'warning', experimentId: step.experimentId ?? undefined, message: `${step.model}: test ${summary(r)} (severity warn)` });
        } else failed.push(r);
      }
      if (!failed.length) return;
      const first = mine.find((t) => t.id === failed[0]!.id)!;
      throw new XpError('TEST_FAILED', `data test${failed.length > 1 ? 's' : ''} failed on the new rows of ${step.model}: ${failed.map(summary).join('; ')}`, {
        location: { file: first.location.file, line: first.location.line, model: step.model, experiment: step.experimentId ?? undefined },
        hint: 'the previous partition is kept; read the model SQL in target/compiled/, fix the model or its input, then rebuild',
      });
    };
  };
}

/** The `auditFor` of a build: every data test of the project, validated up front. */
export function dataTestAudits(project: Project, reporter: Reporter): (step: PlanStep) => Audit | undefined {
  return auditForTests(project, loadTestSpecs(project).data, reporter);
}
