/**
 * Every `xp` command, in the order `xp --help` lists them: its name, the one line the help
 * shows, and how to load the module that registers it. A run loads only the module of the
 * command it runs (src/cli/program.ts), so `xp --help` and a no-op build do not pay for
 * the vega, S3, elkjs or pg-boss imports of the commands they do not run. Each module
 * exports a `RegisterCommand` (src/cli/command.ts) and a command function that returns data.
 */
import type { RegisterCommand } from '../command.ts';

export interface CommandEntry {
  readonly name: string;
  /** the help line; set on the command once its module has registered it */
  readonly summary: string;
  readonly load: () => Promise<RegisterCommand>;
}

export const COMMANDS: readonly CommandEntry[] = [
  { name: 'build', summary: 'build the models and analyses of the selected experiment partitions', load: async () => (await import('./build.ts')).registerBuild },
  { name: 'seed', summary: 'load the CSV seeds under seeds/ into the warehouse as tables (the first stage of xp build)', load: async () => (await import('./seed.ts')).registerSeed },
  { name: 'generate', summary: 'write deterministic synthetic raw Parquet for the selected experiments into the raw store', load: async () => (await import('./generate.ts')).registerGenerate },
  { name: 'compile', summary: 'render every model (ephemeral ones too) to target/compiled/<experiment>/<model>.sql and write target/manifest.json', load: async () => (await import('./compile.ts')).registerCompile },
  { name: 'ls', summary: 'list the project\'s models', load: async () => (await import('./ls.ts')).registerLs },
  { name: 'query', summary: 'run read-only SQL on the warehouse ({{ref "model"}} allowed)', load: async () => (await import('./query.ts')).registerQuery },
  { name: 'test', summary: 'run the model unit tests and the data tests on the built partitions', load: async () => (await import('./test.ts')).registerTest },
  { name: 'docs', summary: 'model docs and the lineage graph: a static site in target/docs', load: async () => (await import('./docs.ts')).registerDocs },
  { name: 'status', summary: 'experiment state folded from the ledger; a running build\'s stage and ETA', load: async () => (await import('./status.ts')).registerStatus },
  { name: 'ledger', summary: 'the experiment ledger: verify, export, import, log', load: async () => (await import('./ledger.ts')).registerLedger },
  { name: 'experiment', summary: 'lifecycle: draft → running ⇄ paused → completed | stopped | cancelled', load: async () => (await import('./experiment.ts')).registerExperiment },
  { name: 'power', summary: 'sample size per arm for an effect on a binomial or mean metric, or the MDE for a sample; --experiment: the design check', load: async () => (await import('./power.ts')).registerPower },
  { name: 'aa', summary: 'placebo calibration: re-randomise the exposed users K times and report each metric\'s false-positive rate, z and the decision rates; exit 1 when one is outside its tolerance', load: async () => (await import('./aa.ts')).registerAa },
  { name: 'health', summary: 'health of running experiments: sample pace, split, SRM, freshness, anomalies, multiple exposures; exit 1 when any is critical', load: async () => (await import('./health.ts')).registerHealth },
  { name: 'overlaps', summary: 'experiments with overlapping windows: users in both, assignment independence, A×B interaction on the primary metrics (BH over pairs); exit 1 when a pair is flagged', load: async () => (await import('./overlaps.ts')).registerOverlaps },
  { name: 'schedule', summary: 'portfolio conflicts (layer capacity, a shared primary metric, a guardrail that is another\'s primary) and the earliest start without one', load: async () => (await import('./schedule.ts')).registerSchedule },
  { name: 'run', summary: 'the daily job: build every running experiment (only what changed), check health, post critical checks to the alerts webhook; exit 1 when a build failed or one is critical', load: async () => (await import('./run.ts')).registerRun },
  { name: 'state', summary: 'where the ledger, partition catalog and run records live; move them between stores', load: async () => (await import('./state.ts')).registerState },
  { name: 'enqueue', summary: 'queue one build job per selected experiment for `xp worker` processes (state in PostgreSQL)', load: async () => (await import('./enqueue.ts')).registerEnqueue },
  { name: 'worker', summary: 'build queued experiments (xp enqueue), N at a time; on any number of machines sharing the PostgreSQL state', load: async () => (await import('./worker.ts')).registerWorker },
];
