import type { Project } from '../../runner/load-project.ts';
import { runBuild, type BuildOutcome } from '../../runner/run-build.ts';
import { buildReporter, buildSummary, type Out } from '../print/build-reporter.ts';

export interface BuildCommandOptions {
  readonly select: string;
  readonly models?: string;
  readonly exclude?: string;
  readonly fullRefresh?: boolean;
  readonly dryRun?: boolean;
  readonly generateSynth?: boolean;
  readonly skip: ReadonlySet<string>;
  readonly verbose?: boolean;
  readonly force?: boolean;
  readonly acceptConfigChange?: boolean;
  readonly acceptInputChange?: boolean;
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

