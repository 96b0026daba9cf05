/** `xp generate`: deterministic synthetic raw Parquet for the selected experiments, into the raw store. */
import { Option } from 'commander';
import { XpError } from '../../core/errors.ts';
import type { Project } from '../../runner/load-project.ts';
import { selectExperiments } from '../../graph/selectors.ts';
import { openRawStore } from '../../storage/open-store.ts';
import { generateForExperiments, type GeneratedPartition } from '../../runner/generate.ts';
import { buildReporter, type Out } from '../print/build-reporter.ts';
import { fmtInt } from '../../core/format.ts';
import type { RegisterCommand } from '../command.ts';
import { plantedTruth, type PlantedTruth } from '../../synth/index.ts';

const pct = (x: number | null): string => (x === null ? 'n/a' : `${x >= 0 ? '+' : '−'}${Math.abs(x * 100).toFixed(2)}%`);
const val = (x: number): string => (Math.abs(x) >= 100 ? x.toFixed(1) : x.toPrecision(4));

/** The true values the generator planted, on the estimands the platform reports. */
export function truthLines(truth: PlantedTruth): string[] {
  return truth.metrics.map((m) => m.status === 'ok'
    ? `  true ${m.metric}: ${truth.control} ${val(m.control.value)}; ${m.treatments.map((t) => `${t.variant} ${val(t.value)} (${pct(t.relativeLift)})`).join('; ')}`
    : `  true ${m.metric}: not computed`);
}

export async function generateCommand(project: Project, select: string, out: Out): Promise<GeneratedPartition[]> {
  const ids = selectExperiments(project.config.experiments.map((e) => e.id), select);
  const experiments = ids.map((id) => project.config.experiments.find((e) => e.id === id)!);
  const store = await openRawStore(project.config);
  try {
    const generated = await generateForExperiments(project, store, experiments, buildReporter(out));
    for (const g of generated) {
      out.write(`${g.experimentId}: ${fmtInt(g.exposures)} exposure rows, ${fmtInt(g.outcomes)} outcome rows → ${store.uri}/${g.experimentId}/ (${g.written.length} written, ${g.unchanged.length} unchanged)\n`);
      const experiment = experiments.find((e) => e.id === g.experimentId);
      if (experiment?.synth) out.write(`${truthLines(plantedTruth(experiment, project.config.metrics)).join('\n')}\n`);
    }
    return generated;
  } finally {
    await store.close?.();
  }
}

/**
 * `--select`, or `--experiment-id`, its deprecated old name (hidden from the help, still
 * accepted without a warning so scripts keep a clean stderr); exactly one of them.
 */
export function generateSelection(o: { readonly select?: string; readonly experimentId?: string }): string {
  if (o.select !== undefined && o.experimentId !== undefined) {
    throw new XpError('USAGE', 'give --select or --experiment-id, not both', { hint: '--experiment-id is the old name of --select; use --select <experiments>' });
  }
  if (o.experimentId !== undefined) return o.experimentId;
  if (o.select === undefined) {
    throw new XpError('USAGE', 'xp generate needs --select <experiments>', { hint: 'e.g. xp generate --select exp_checkout_button_001 (ids, globs such as exp_*, or all)' });
  }
  return o.select;
}

export const registerGenerate: RegisterCommand = (program, ctx, withConfig) => {
  withConfig(program.command('generate'))
    .option('-s, --select <experiments>', 'experiment ids, globs (exp_*) or all; a comma or a space separates them')
    .addOption(new Option('-e, --experiment-id <id>', 'deprecated: the old name of --select').hideHelp())
    .action(async (o: { config: string; select?: string; experimentId?: string }) => {
      const select = generateSelection(o);
      await generateCommand(await ctx.project(o.config), select, ctx.io.stdout);
    });
};
