/**
 * Every `xp` command, one line each, in the order `xp --help` lists them. Each module
 * exports a `RegisterCommand` (src/cli/command.ts) and a command function that returns data.
 */
import type { RegisterCommand } from '../command.ts';
import { registerBuild } from './build.ts';
import { registerGenerate } from './generate.ts';
import { registerCompile } from './compile.ts';
import { registerLs } from './ls.ts';
import { registerQuery } from './query.ts';
import { registerTest } from './test.ts';
import { registerDocs } from './docs.ts';
import { registerStatus } from './status.ts';
import { registerLedger } from './ledger.ts';
import { registerExperiment } from './experiment.ts';
import { registerPower } from './power.ts';
import { registerHealth } from './health.ts';
import { registerAa } from './aa.ts';
import { registerState } from './state.ts';
import { registerEnqueue } from './enqueue.ts';
import { registerWorker } from './worker.ts';

export const COMMANDS: readonly RegisterCommand[] = [
  registerBuild,
  registerGenerate,
  registerCompile,
  registerLs,
  registerQuery,
  registerTest,
  registerDocs,
  registerStatus,
  registerLedger,
  registerExperiment,
  registerPower,
  registerAa,
  registerHealth,
  registerState,
  registerEnqueue,
  registerWorker,
];
