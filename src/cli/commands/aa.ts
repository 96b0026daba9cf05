/**
 * `xp aa <experiment_id> [--k 200] [--format table|json]`: placebo (A/A) calibration on the
 * experiment's own data (src/placebo/). Reads the warehouse only; exit 1 when a metric's
 * false-positive rate or z variance is outside its 99% band, 2 for an unknown or unbuilt
 * experiment.
 */
import { Option } from 'commander';
import { ExitCode, XpError } from '../../core/errors.ts';
import { formatAa } from '../../placebo/format.ts';
import { aaCommand, DEFAULT_REPLICATES } from '../../placebo/run-aa.ts';
import type { RegisterCommand } from '../command.ts';

function parseReplicates(raw: string): number {
  const k = Number(raw);
  if (raw.trim() === '' || !Number.isInteger(k)) throw new XpError('USAGE', `--k ${JSON.stringify(raw)}: expected a whole number of replicates`, { hint: `the default is ${DEFAULT_REPLICATES}` });
  return k;
}

export const registerAa: RegisterCommand = (program, ctx, withConfig) => {
  withConfig(program.command('aa'))
    .argument('<experiment_id>', 'a built experiment')
    .option('--k <replicates>', 'placebo replicates', String(DEFAULT_REPLICATES))
    .addOption(new Option('-f, --format <format>', 'output format').choices(['table', 'json']).default('table'))
    .action(async (experimentId: string, o: { config: string; k: string; format: string }) => {
      const r = await aaCommand(await ctx.project(o.config), { experimentId, replicates: parseReplicates(o.k) });
      ctx.io.stdout.write((o.format === 'json' ? JSON.stringify(r, null, 2) : formatAa(r)) + '\n');
      if (!r.ok) ctx.setExit(ExitCode.failed);
    });
};
