/**
 * Commands beyond the core build/query set register here, one line each, so each
 * capability (test, docs, status, health, power, ledger, s3) owns its own module.
 */
import type { Command } from 'commander';
import type { CommandContext } from '../program.ts';
import { registerTest } from './test.ts';
import { registerDocs } from './docs.ts';
import { registerStatus } from './status.ts';
import { registerLedger } from './ledger.ts';
import { registerExperiment } from './experiment.ts';
import { registerPower } from './power.ts';
import { registerHealth } from './health.ts';

export type RegisterCommand = (program: Command, ctx: CommandContext, withConfig: (cmd: Command) => Command) => void;

export const extraCommands: readonly RegisterCommand[] = [
  registerTest,
  registerDocs,
  registerStatus,
  registerLedger,
  registerExperiment,
  registerPower,
  registerHealth,
];
