/** `xp seed`: load seeds/*.csv into the warehouse (the first stage of `xp build`), print each step and a summary. */
import { ExitCode } from '../../core/errors.ts';
import { runSeed } from '../../runner/run-seed.ts';
import { buildReporter, buildSummary } from '../print/build-reporter.ts';
import type { RegisterCommand } from '../command.ts';

export const registerSeed: RegisterCommand = (program, ctx, withConfig) => {
  withConfig(program.command('seed'))
    .option('-m, --models <selector>', 'which seeds (a model selector: name, tag:seed, path:seeds/…); default every seed')
    .option('--full-refresh', 'reload every selected seed even when its CSV is unchanged')
    .action(async (o: { config: string; models?: string; fullRefresh?: boolean }) => {
      const project = await ctx.project(o.config);
      const started = performance.now();
      const outcome = await runSeed(project, { select: o.models, fullRefresh: o.fullRefresh, reporter: buildReporter(ctx.io.stdout) });
      if (outcome.seeds.length === 0) {
        ctx.io.stdout.write('no seeds: put CSV files under seeds/ (each with a properties file seeds/<name>.yml typing its columns)\n');
        return;
      }
      ctx.io.stdout.write(buildSummary(outcome.results, (performance.now() - started) / 1000) + '\n');
      if (outcome.status === 'error') ctx.setExit(ExitCode.failed);
    });
};
