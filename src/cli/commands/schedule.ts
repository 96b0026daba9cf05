/**
 * `xp schedule [--select <ids>] [--format table|json]`: the portfolio's conflicts on
 * overlapping windows and, for each experiment that must move (or each selected one), the
 * earliest start without a conflict. Reads the config only.
 */
import { Option } from 'commander';
import { selectExperiments } from '../../graph/selectors.ts';
import { formatSchedule } from '../../portfolio/format-schedule.ts';
import { planSchedule } from '../../portfolio/schedule.ts';
import type { RegisterCommand } from '../command.ts';

export const registerSchedule: RegisterCommand = (program, ctx, withConfig) => {
  withConfig(program.command('schedule'))
    .option('-s, --select <experiments>', 'propose a start for these experiments (default: the later one of each conflicting pair)')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['table', 'json']).default('table'))
    .action(async (o: { config: string; select?: string; format: string }) => {
      const project = await ctx.project(o.config);
      const experiments = project.config.experiments;
      const movable = o.select ? new Set(selectExperiments(experiments.map((e) => e.id), o.select)) : undefined;
      const r = planSchedule(experiments, movable);
      ctx.io.stdout.write((o.format === 'json' ? JSON.stringify(r, null, 2) : formatSchedule(r)) + '\n');
    });
};
