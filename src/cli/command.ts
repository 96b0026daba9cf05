/**
 * What a command module sees: each src/cli/commands/<name>.ts exports a `RegisterCommand`
 * that adds its command to the program; commands/index.ts lists them, program.ts wires them.
 */
import type { Command } from 'commander';
import type { Project } from '../runner/load-project.ts';
import type { Out } from './print/build-reporter.ts';

export interface Io {
  readonly stdout: Out;
  readonly stderr: Out;
  readonly cwd: string;
  /** environment variables (XP_PROJECT_DIR); default process.env */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

export interface CommandContext {
  readonly io: Io;
  /** raise the process's exit code (the highest code set wins) */
  setExit(code: number): void;
  /**
   * Load the project: its root from --project-dir, XP_PROJECT_DIR, an explicit --config or
   * the nearest folder above io.cwd holding configs/dev.yaml (src/project/locate-project.ts).
   */
  project(configPath?: string): Promise<Project>;
}

/** Adds one command; `withConfig` gives it the `-c, --config <file>` and `--project-dir <dir>` options every command takes. */
export type RegisterCommand = (program: Command, ctx: CommandContext, withConfig: (cmd: Command) => Command) => void;
