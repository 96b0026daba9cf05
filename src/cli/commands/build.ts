/** `xp build`: build the selected partitions' models and analyses, print each step and a summary. */
import { Option } from 'commander';
import { ExitCode, XpError } from '../../core/errors.ts';
import { BUILTIN_PLUGIN_NAMES } from '../../analyses/builtin/index.ts';
import type { Project } from '../../runner/load-project.ts';
import { runBuild, type BuildOutcome } from '../../runner/run-build.ts';
import { buildReporter, buildSummary, type Out } from '../print/build-reporter.ts';
import type { RegisterCommand } from '../command.ts';
import { closestNames } from '../../project/suggest.ts';
import { buildInJobs } from '../../runner/build-jobs.ts';
import type { ChildBuildFlags } from '../../runner/child-build.ts';
import { fmtSeconds } from '../../core/format.ts';

/** The stages that are not analysis plugins: the dq and metrics models, and the memo. */
const MODEL_STAGES: readonly string[] = ['dq', 'metrics', 'memo'];

/** Stages with a `--skip-<stage>` flag: those, and each built-in plugin (from its registry). */
export const SKIPPABLE_STAGES: readonly string[] = [...MODEL_STAGES, ...BUILTIN_PLUGIN_NAMES];

/** `--skip a,b`: model stages, the memo, or the project's analysis plugins by name. */
export function skipList(project: Project, value: string | undefined): string[] {
  if (value === undefined) return [];
  const known = [...MODEL_STAGES, ...project.plugins.map((p) => p.plugin.name)];
  const names = value.split(',').map((n) => n.trim()).filter(Boolean);
  const unknown = names.filter((n) => !known.includes(n));
  if (unknown.length || !names.length) {
    const guesses = [...new Set(unknown.flatMap((n) => closestNames(n, known)))];
    throw new XpError('USAGE', `--skip: ${unknown.length ? `unknown stage${unknown.length > 1 ? 's' : ''} ${unknown.map((n) => `"${n}"`).join(', ')}` : 'no stage named'}`, {
      hint: `${guesses.length ? `did you mean ${guesses.map((g) => `"${g}"`).join(' or ')}? ` : ''}stages you can skip: ${known.join(', ')}`,
    });
  }
  return names;
}

/** What `xp build` passes on: a child build's flags (src/runner/child-build.ts), the selection and --dry-run. */
export interface BuildCommandOptions extends ChildBuildFlags {
  readonly select: string;
  readonly dryRun?: boolean;
  readonly skip: ReadonlySet<string>;
}

export async function buildCommand(project: Project, opts: BuildCommandOptions, out: Out): Promise<BuildOutcome> {
  const started = performance.now();
  const outcome = await runBuild(project, {
    ...opts,
    reporter: buildReporter(out, { verbose: opts.verbose || opts.dryRun }),
    command: process.argv.slice(2).join(' ') || 'build',
  });
  if (outcome.dryRun) {
    out.write('\ndry run: nothing was written. Compiled SQL of the steps that would build:\n');
    for (const s of outcome.steps.filter((s) => s.action === 'build')) {
      out.write(`\n-- ${s.experimentId ?? '(project)'} · ${s.model} (${s.reason})\n${s.sql}\n`);
    }
    return outcome;
  }
  out.write(buildSummary(outcome.results, (performance.now() - started) / 1000) + '\n');
  if (outcome.runResultsPath) out.write(`results: ${outcome.runResultsPath}\n`);
  return outcome;
}

function jobCount(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new XpError('USAGE', `--jobs takes a whole number of builds at a time, got "${value}"`, { hint: 'e.g. --jobs 2 (one per core is a good start)' });
  return n;
}

/** `--jobs N`: the children's lines as they come, each prefixed with its experiment, then one line per experiment. Returns the exit code. */
export async function jobsCommand(project: Project, select: string, jobs: number, flags: ChildBuildFlags, out: Out): Promise<number> {
  const started = performance.now();
  const outcome = await buildInJobs(project, select, jobs, flags, (id, line) => {
    if (line.trim()) out.write(`[${id}] ${line}\n`);
  });
  for (const l of outcome.leftOut) out.write(`warning ${l.experimentId}: left out: ${l.experimentId} is ${l.status}; pass --force to rebuild it\n`);
  for (const r of outcome.results) {
    const how = r.code === 0 ? 'ok' : r.signal ? `killed by ${r.signal}` : `exit ${r.code}`;
    out.write(`${r.experimentId}: ${how} in ${fmtSeconds(r.seconds)}\n`);
  }
  const failed = outcome.results.filter((r) => r.code !== 0).length;
  out.write(`done in ${fmtSeconds((performance.now() - started) / 1000)}, ${outcome.results.length} experiment builds, ${jobs} at a time: ${outcome.results.length - failed} succeeded, ${failed} failed\n`);
  return Math.max(0, ...outcome.results.map((r) => r.code));
}

export const registerBuild: RegisterCommand = (program, ctx, withConfig) => {
  const build = withConfig(program.command('build'))
    .requiredOption('-s, --select <experiments>', 'experiment ids, globs (exp_*) or all; a comma or a space separates them')
    .option('-m, --models <selector>', 'narrow the model graph: name, +name, name+, @name, tag:x, path:models/core; space = union, comma = intersection')
    .option('--exclude <selector>', 'models to leave out (same syntax)')
    .option('--full-refresh', 'rebuild every selected partition, even when up to date')
    .option('--dry-run', 'print the ordered plan and compiled SQL; write nothing')
    .option('--generate-synth', 'generate synthetic raw data for the experiments first')
    .option('-v, --verbose', 'print every step, including skipped ones')
    .option('--force', 'rebuild completed, stopped or cancelled experiments')
    .option('--accept-config-change', 'record a design change of a running experiment in its ledger instead of refusing it')
    .option('--accept-input-change', 'build from raw objects that changed (same key, other ETag) under existing results instead of refusing')
    .option('-j, --jobs <n>', 'build N experiments at a time, each in its own process (default: one build of the whole selection)');
  const skipFlags = SKIPPABLE_STAGES.map((stage) => {
    const flag = new Option(`--skip-${stage}`, `skip the ${stage} stage`);
    build.addOption(flag);
    return { stage, key: flag.attributeName() };
  });
  build.option('--skip <stages>', 'skip stages by name, comma list: dq, metrics, memo or any analysis plugin (analyses/<name>.ts)');
  build.action(async (o: Record<string, unknown>) => {
    const project = await ctx.project(o['config'] as string);
    const skip = new Set<string>(skipFlags.filter((f) => o[f.key]).map((f) => f.stage));
    for (const name of skipList(project, o['skip'] as string | undefined)) skip.add(name);
    const flags: ChildBuildFlags & { skip: ReadonlySet<string> } = {
      models: o['models'] as string | undefined,
      exclude: o['exclude'] as string | undefined,
      fullRefresh: !!o['fullRefresh'],
      generateSynth: !!o['generateSynth'],
      verbose: !!o['verbose'],
      force: !!o['force'],
      acceptConfigChange: !!o['acceptConfigChange'],
      acceptInputChange: !!o['acceptInputChange'],
      skip,
    };
    if (o['jobs'] !== undefined && !o['dryRun']) {
      ctx.setExit(await jobsCommand(project, o['select'] as string, jobCount(o['jobs'] as string), flags, ctx.io.stdout));
      return;
    }
    const outcome = await buildCommand(project, { ...flags, select: o['select'] as string, dryRun: !!o['dryRun'] }, ctx.io.stdout);
    if (outcome.status === 'error') ctx.setExit(ExitCode.failed);
  });
};
