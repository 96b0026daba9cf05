/**
 * The `xp` command line: parses arguments, runs a command function, prints its result.
 * Returns the exit code; only main.ts calls process.exit.
 */
import { Command, CommanderError, Option } from 'commander';
import { ExitCode, XpError, exitCodeFor, formatError } from '../core/errors.ts';
import { loadProject, DEFAULT_CONFIG, type Project } from '../runner/load-project.ts';
import type { Out } from './print/build-reporter.ts';
import { buildCommand } from './commands/build.ts';
import { generateCommand } from './commands/generate.ts';
import { compileCommand } from './commands/compile.ts';
import { lsCommand } from './commands/ls.ts';
import { queryCommand } from './commands/query.ts';
import { queryLakeCommand } from './commands/query-lake.ts';
import { formatRows, type RowFormat } from './print/rows.ts';
import { textTable } from '../core/format.ts';
import { extraCommands } from './commands/index.ts';

export interface Io {
  readonly stdout: Out;
  readonly stderr: Out;
  readonly cwd: string;
}

/** Stages that `--skip-<stage>` can skip. Model stages first, then analysis plugins. */
export const SKIPPABLE_STAGES = ['dq', 'metrics', 'ab', 'cuped', 'did', 'pretrends', 'srm', 'sequential', 'decision', 'memo'] as const;

/** `--skip a,b`: model stages, the memo, or the project's analysis plugins by name. */
export function skipList(project: Project, value: string | undefined): string[] {
  if (value === undefined) return [];
  const known = ['dq', 'metrics', 'memo', ...project.plugins.map((p) => p.plugin.name)];
  const names = value.split(',').map((n) => n.trim()).filter(Boolean);
  const unknown = names.filter((n) => !known.includes(n));
  if (unknown.length || !names.length) {
    throw new XpError('USAGE', `--skip: ${unknown.length ? `unknown stage${unknown.length > 1 ? 's' : ''} ${unknown.map((n) => `"${n}"`).join(', ')}` : 'no stage named'}`, {
      hint: `stages you can skip: ${known.join(', ')}`,
    });
  }
  return names;
}

export interface CommandContext {
  readonly io: Io;
  setExit(code: number): void;
  project(configPath?: string): ReturnType<typeof loadProject>;
}

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

  const build = withConfig(program.command('build'))
    .description('build the models and analyses of the selected experiment partitions')
    .requiredOption('-s, --select <experiments>', 'experiment id, comma list, glob (exp_*) or all')
    .option('-m, --models <selector>', 'narrow the model graph: name, +name, name+, tag:x, path:models/core; comma = union')
    .option('--exclude <selector>', 'models to leave out (same syntax)')
    .option('--full-refresh', 'rebuild every selected partition, even when up to date')
    .option('--dry-run', 'print the ordered plan and compiled SQL; write nothing')
    .option('--generate-synth', 'generate synthetic raw data for the experiments first')
    .option('-v, --verbose', 'print every step, including skipped ones')
    .option('--force', 'rebuild completed, stopped or cancelled experiments')
    .option('--accept-config-change', 'record a design change of a running experiment in its ledger instead of refusing it')
    .option('--accept-input-change', 'build from raw objects that changed (same key, other ETag) under existing results instead of refusing');
  for (const stage of SKIPPABLE_STAGES) build.addOption(new Option(`--skip-${stage}`, `skip the ${stage} stage`));
  build.option('--skip <stages>', 'skip stages by name, comma list: dq, metrics, memo or any analysis plugin (analyses/<name>.ts)');
  build.action(async (o: Record<string, unknown>) => {
    const project = await ctx.project(o['config'] as string);
    const skip = new Set<string>(SKIPPABLE_STAGES.filter((s) => o[`skip${s[0]!.toUpperCase()}${s.slice(1)}`]));
    for (const name of skipList(project, o['skip'] as string | undefined)) skip.add(name);
    const outcome = await buildCommand(project, {
      select: o['select'] as string,
      models: o['models'] as string | undefined,
      exclude: o['exclude'] as string | undefined,
      fullRefresh: !!o['fullRefresh'],
      dryRun: !!o['dryRun'],
      generateSynth: !!o['generateSynth'],
      verbose: !!o['verbose'],
      force: !!o['force'],
      acceptConfigChange: !!o['acceptConfigChange'],
      acceptInputChange: !!o['acceptInputChange'],
      skip,
    }, io.stdout);
    if (outcome.status === 'error') ctx.setExit(ExitCode.failed);
  });

  withConfig(program.command('generate'))
    .description('write deterministic synthetic raw Parquet for an experiment into the raw store')
    .requiredOption('-e, --experiment-id <id>', 'experiment id (or comma list, glob, all)')
    .action(async (o: { config: string; experimentId: string }) => {
      await generateCommand(await ctx.project(o.config), o.experimentId, io.stdout);
    });

  withConfig(program.command('compile'))
    .description('render every model to target/compiled/<experiment>/<model>.sql and write target/manifest.json')
    .option('-s, --select <experiments>', 'experiments to compile for', 'all')
    .action(async (o: { config: string; select: string }) => {
      const r = await compileCommand(await ctx.project(o.config), o.select);
      io.stdout.write(`compiled ${r.files.length} model partitions; manifest: ${r.manifestPath}\n`);
    });

  withConfig(program.command('ls'))
    .description('list the project\'s models')
    .option('-m, --models <selector>', 'model selector')
    .option('--exclude <selector>', 'models to leave out')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['table', 'json']).default('table'))
    .action(async (o: { config: string; models?: string; exclude?: string; format: string }) => {
      const rows = lsCommand(await ctx.project(o.config), o.models, o.exclude);
      if (o.format === 'json') io.stdout.write(JSON.stringify(rows, null, 2) + '\n');
      else io.stdout.write(textTable(['name', 'materialized', 'stage', 'tags', 'path', 'depends_on'], rows.map((r) => [r.name, r.materialized, r.stage, r.tags, r.path, r.depends_on])) + '\n');
    });

  withConfig(program.command('query'))
    .description('run read-only SQL on the warehouse ({{ref "model"}} allowed)')
    .argument('<sql>', 'the query')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['table', 'csv', 'json']).default('table'))
    .option('--lake', 'read the published lake (storage.lake) instead of the warehouse; works while a build runs')
    .action(async (sql: string, o: { config: string; format: RowFormat; lake?: boolean }) => {
      const r = await (o.lake ? queryLakeCommand : queryCommand)(await ctx.project(o.config), sql);
      io.stdout.write(formatRows(r.columns, r.rows, o.format) + '\n');
    });

  for (const register of extraCommands) register(program, ctx, withConfig);

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

