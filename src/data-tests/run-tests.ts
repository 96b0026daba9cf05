/**
 * `xp test`: model unit tests (no warehouse needed), then data tests on the stored
 * partitions of the selected experiments. Returns data; printing is the CLI's job.
 */
import { existsSync } from 'node:fs';
import type { Db } from '../engine/connection.ts';
import { openWarehouse } from '../state/open.ts';
import { MODEL_SCHEMA, readStoredFingerprints, tablesIn } from '../engine/platform-store.ts';
import type { ReadonlyPartitionMap } from '../plan/partition-map.ts';
import { selectExperiments, selectModels } from '../graph/selectors.ts';
import type { Project } from '../workspace/project.ts';
import type { Experiment } from '../project/types.ts';
import { PARTITION_PARAM } from '../template/sql-env.ts';
import { relation } from '../engine/sql.ts';
import { targetDir, warehousePath } from '../core/paths.ts';
import { newRunId } from '../core/results.ts';
import { ephemeralRelations } from './ephemeral.ts';
import { runDataTest } from './run-data-test.ts';
import { writeTestResults } from './results.ts';
import { loadTestSpecs } from './spec/load-tests.ts';
import type { DataTest, TestResult } from './types.ts';
import { runUnitTest } from './unit/run-unit-test.ts';

export const TEST_TYPES = ['unit', 'generic', 'singular'] as const;
export type TestType = (typeof TEST_TYPES)[number];

export interface TestOptions {
  /** experiments whose partitions the data tests check (id, list, glob, all) */
  readonly select?: string;
  /** model selector: tests of these models (a singular test: of any model it refs) */
  readonly models?: string;
  readonly exclude?: string;
  readonly types?: ReadonlySet<TestType>;
  readonly command?: string;
  /** called as each test finishes */
  readonly onResult?: (r: TestResult) => void;
}

export interface TestOutcome {
  readonly runId: string;
  readonly results: readonly TestResult[];
  readonly status: 'success' | 'error';
  readonly seconds: number;
  readonly runResultsPath: string;
}

interface Built {
  /** the recorded partitions (their fingerprints are not needed here) */
  readonly partitions: ReadonlyPartitionMap<string>;
  /** the tables and views in the model schema */
  readonly relations: ReadonlySet<string>;
}

async function builtState(db: Db): Promise<Built> {
  return { partitions: await readStoredFingerprints(db), relations: await tablesIn(db, MODEL_SCHEMA) };
}

export async function runTests(project: Project, opts: TestOptions = {}): Promise<TestOutcome> {
  const started = new Date();
  const clock = performance.now();
  const runId = newRunId(started);
  const types = opts.types ?? new Set(TEST_TYPES);
  const specs = loadTestSpecs(project);
  const chosen = new Set(selectModels(project.dag, opts.models, opts.exclude));
  const results: TestResult[] = [];
  const emit = (r: TestResult): void => {
    results.push(r);
    opts.onResult?.(r);
  };

  if (types.has('unit')) {
    for (const t of specs.unit.filter((u) => chosen.has(u.model))) {
      emit(await runUnitTest(project, t, { compiledDir: `${targetDir(project.config)}/compiled` }));
    }
  }

  const dataTests = specs.data.filter((t) => types.has(t.type) && (t.type === 'generic' ? chosen.has(t.model) : t.refs.some((r) => chosen.has(r))));
  if (dataTests.length) {
    const ids = project.config.experiments.map((e) => e.id);
    const experiments: Experiment[] = selectExperiments(ids, opts.select ?? 'all').map((id) => project.config.experiments.find((e) => e.id === id)!);
    const whPath = warehousePath(project.config);
    if (!existsSync(whPath)) {
      for (const t of dataTests) emit(skipped(t, null, `no warehouse at ${project.config.warehouse}: run xp build first`));
    } else {
      const db = await openWarehouse(project.config, { readOnly: true }); // with the config's state (src/state)
      try {
        await runDataTests(project, db, dataTests, experiments, emit);
      } finally {
        db.close();
      }
    }
  }

  const finished = new Date();
  const status = results.some((r) => r.status === 'fail' || r.status === 'error') ? 'error' : 'success';
  const runResultsPath = writeTestResults(targetDir(project.config), {
    run_id: runId,
    command: opts.command ?? 'xp test',
    started_at: started.toISOString(),
    finished_at: finished.toISOString(),
    status,
    elapsed_seconds: (finished.getTime() - started.getTime()) / 1000,
    results,
  });
  return { runId, results, status, seconds: (performance.now() - clock) / 1000, runResultsPath };
}

function skipped(t: DataTest, experimentId: string | null, message: string): TestResult {
  return { id: t.id, type: t.type, model: t.model, experimentId, status: 'skipped', failures: 0, seconds: 0, location: `${t.location.file}:${t.location.line}`, message };
}

async function runDataTests(project: Project, db: Db, tests: readonly DataTest[], experiments: readonly Experiment[], emit: (r: TestResult) => void): Promise<void> {
  const built = await builtState(db);
  const kind = (t: DataTest): string => project.dag.nodes.get(t.model)!.materialized;
  const builtFor = (id: string): boolean => [...built.partitions].some(([k]) => k.experimentId === id);
  // project-level models once, then each experiment's partitions
  for (const t of tests.filter((x) => kind(x) === 'view' || kind(x) === 'table')) {
    if (!built.relations.has(t.model)) emit(skipped(t, null, `${t.model} is not built: run xp build`));
    else emit(await runDataTest(project, t, { db, experiment: undefined, relation: relation(MODEL_SCHEMA, t.model) }));
  }
  const ephemeral = ephemeralRelations(project);
  try {
    for (const experiment of experiments) {
      for (const t of tests.filter((x) => kind(x) === 'partitioned' || kind(x) === 'ephemeral')) {
        const rows = kind(t) === 'ephemeral'
          ? builtFor(experiment.id) ? await ephemeral.relation(t.model, experiment) : { skip: `nothing is built for ${experiment.id}: run xp build --select ${experiment.id}` }
          : built.partitions.has({ model: t.model, experimentId: experiment.id })
            ? { relation: `(select * from ${relation(MODEL_SCHEMA, t.model)} where experiment_id = $${PARTITION_PARAM})` }
            : { skip: `${t.model} is not built for ${experiment.id}: run xp build --select ${experiment.id}` };
        if ('skip' in rows) emit(skipped(t, experiment.id, rows.skip));
        else emit(await runDataTest(project, t, { db, experiment, relation: rows.relation }));
      }
    }
  } finally {
    await ephemeral.close();
  }
}
