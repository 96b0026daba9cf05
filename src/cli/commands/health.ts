/**
 * `xp health [--select <ids>] [--as-of <date>] [--format table|json]`: running experiments'
 * health (pace, split, SRM, freshness, anomalies, multiple exposures) with a score; exit
 * code 1 when any is critical, so cron or CI can alert on it. Reads the warehouse only.
 */
import { Option } from 'commander';
import { ExitCode } from '../../core/errors.ts';
import { formatHealth } from '../../health/format.ts';
import { healthCommand } from '../../health/run-health.ts';
import type { RegisterCommand } from '../command.ts';

export const registerHealth: RegisterCommand = (program, ctx, withConfig) => {
  withConfig(program.command('health'))
    .option('-s, --select <experiments>', 'experiment id, comma list, glob or all (default: every running experiment)')
    .option('--as-of <date>', 'judge freshness and pace at this date (YYYY-MM-DD = 00:00 UTC) or ISO time instead of now')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['table', 'json']).default('table'))
    .action(async (o: { config: string; select?: string; asOf?: string; format: string }) => {
      const r = await healthCommand(await ctx.project(o.config), { select: o.select, asOf: o.asOf });
      ctx.io.stdout.write((o.format === 'json' ? JSON.stringify(r, null, 2) : formatHealth(r)) + '\n');
      if (r.critical) ctx.setExit(ExitCode.failed);
    });
};
