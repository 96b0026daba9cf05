/**
 * The `xp` command line: parses arguments, runs a command function, prints its result.
 * Returns the exit code; only main.ts calls process.exit.
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { ExitCode, exitCodeFor, formatError } from '../core/errors.ts';
import { DEFAULT_CONFIG, PROJECT_DIR_ENV, locateProject } from '../project/locate-project.ts';
import type { CommandContext, Io } from './command.ts';
import { COMMANDS } from './commands/index.ts';

/** The version in package.json, as `xp --version` prints it. */
export const XP_VERSION: string = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/** What the running command was given: `--config` only when typed (not its default), `--project-dir`. */
interface ProjectFlags {
  readonly config?: string;
  readonly projectDir?: string;
}

export async function runCli(argv: readonly string[], io: Io): Promise<number> {
  let exitCode: number = ExitCode.ok;
  let flags: ProjectFlags = {};
  const ctx: CommandContext = {
    io,
    setExit: (c) => { exitCode = Math.max(exitCode, c); },
    project: async (configPath = DEFAULT_CONFIG) => {
      const config = flags.config ?? (configPath === DEFAULT_CONFIG ? undefined : configPath);
      const where = locateProject({ cwd: io.cwd, config, projectDir: flags.projectDir, env: io.env ?? process.env });
      // loaded here, not at the top: `xp --help` and `xp power` need no project
      const { loadProject } = await import('../runner/load-project.ts');
      return loadProject(where.config, where.root);
    },
  };
  const program = new Command('xp')
    .description('exp-platform: SQL-first experimentation on DuckDB')
    .version(XP_VERSION, '-V, --version', 'print the version of xp')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) })
    .showHelpAfterError('(run `xp --help` for usage)');
  program.hook('preAction', (_program, action) => {
    const o = action.opts<{ config?: string; projectDir?: string }>();
    flags = {
      ...(action.getOptionValueSource('config') === 'cli' && o.config !== undefined ? { config: o.config } : {}),
      ...(o.projectDir !== undefined ? { projectDir: o.projectDir } : {}),
    };
  });

  const withConfig = (cmd: Command): Command => cmd
    .option('-c, --config <file>', 'project config; the default is the project\'s own', DEFAULT_CONFIG)
    .option('--project-dir <dir>', `the project folder (default: $${PROJECT_DIR_ENV}, else the nearest folder above holding ${DEFAULT_CONFIG})`);
  // Only the command that runs is loaded (`xp help <name>` loads <name>); the others are
  // listed by name and summary for the help and commander's "did you mean".
  const invoked = argv[0] === 'help' ? argv[1] : argv[0];
  for (const entry of COMMANDS) {
    if (entry.name === invoked) {
      (await entry.load())(program, ctx, withConfig);
      program.commands.find((c) => c.name() === entry.name)!.description(entry.summary);
    } else {
      program.command(entry.name).description(entry.summary);
    }
  }

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
