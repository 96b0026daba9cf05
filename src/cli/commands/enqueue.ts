/** `xp enqueue --select <sel> [--full-refresh] [--force]`: one build job per experiment on the PostgreSQL queue (src/runner/worker.ts). */
import type { RegisterCommand } from '../command.ts';
import { enqueueBuilds } from '../../runner/worker.ts';

export const registerEnqueue: RegisterCommand = (program, ctx, withConfig) => {
  withConfig(program.command('enqueue'))
    .requiredOption('-s, --select <experiments>', 'experiment ids, globs (exp_*) or all')
    .option('--full-refresh', 'the jobs rebuild every partition')
    .option('--force', 'the jobs rebuild completed, stopped or cancelled experiments')
    .action(async (o: { config: string; select: string; fullRefresh?: boolean; force?: boolean }) => {
      const r = await enqueueBuilds(await ctx.project(o.config), o.select, { fullRefresh: o.fullRefresh, force: o.force });
      for (const id of r.queued) ctx.io.stdout.write(`queued ${id}\n`);
      for (const id of r.alreadyQueued) ctx.io.stdout.write(`already queued ${id} (one waiting build per experiment)\n`);
      ctx.io.stdout.write(`${r.queued.length} queued, ${r.alreadyQueued.length} already waiting\n`);
    });
};
