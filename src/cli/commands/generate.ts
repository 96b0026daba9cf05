/** `xp generate`: deterministic synthetic raw Parquet for the selected experiments, into the raw store. */
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

export async function generateCommand(project: Project, experimentId: string, out: Out): Promise<GeneratedPartition[]> {
  const ids = selectExperiments(project.config.experiments.map((e) => e.id), experimentId);
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

export const registerGenerate: RegisterCommand = (program, ctx, withConfig) => {
  withConfig(program.command('generate'))
    .description('write deterministic synthetic raw Parquet for an experiment into the raw store')
    .requiredOption('-e, --experiment-id <id>', 'experiment id (or comma list, glob, all)')
    .action(async (o: { config: string; experimentId: string }) => {
      await generateCommand(await ctx.project(o.config), o.experimentId, ctx.io.stdout);
    });
};
