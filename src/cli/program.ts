/**
 * The `xp` command line: parses arguments, runs a command function, prints its result.
 * Returns the exit code; only main.ts calls process.exit.
 */
import { Command, CommanderError } from 'commander';
import { ExitCode, exitCodeFor, formatError } from '../core/errors.ts';
import { loadProject, DEFAULT_CONFIG } from '../runner/load-project.ts';
import type { CommandContext, Io } from './command.ts';
import { COMMANDS } from './commands/index.ts';

export async function runCli(argv: readonly string[], io: Io): Promise<number> {
  let exitCode: number = ExitCode.ok;
  const ctx: CommandContext = {
    io,
    setExit: (c) => { exitCode = Math.max(exitCode, c); },
    project: (configPath = DEFAULT_CONFIG) => loadProject(configPath, io.cwd),
  };
  const program = new Command('xp')
    .description('exp-platform: SQL-first experimentation on DuckDB')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) })
    .showHelpAfterError('(run `xp --help` for usage)');

  const withConfig = (cmd: Command): Command => cmd.option('-c, --config <file>', 'project config', DEFAULT_CONFIG);
  for (const register of COMMANDS) register(program, ctx, withConfig);

  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return ExitCode.ok;
      return ExitCode.invalid; // commander already printed the message
    }
    io.stderr.write(formatError(err) + '\n');
    return exitCodeFor(err);
  }
  return exitCode;
}
