/** `xp worker [--concurrency N] [--drain]`: claim build jobs from the PostgreSQL queue and build them (src/runner/worker.ts). */
import { XpError } from '../../core/errors.ts';
import { fmtSeconds } from '../../core/format.ts';
import type { RegisterCommand } from '../command.ts';
import { runWorker } from '../../runner/worker.ts';

export const registerWorker: RegisterCommand = (program, ctx, withConfig) => {
  withConfig(program.command('worker'))
    .option('--concurrency <n>', 'builds at a time on this machine', '1')
    .option('--drain', 'exit once no job is queued, waiting for a retry or running anywhere')
    .action(async (o: { config: string; concurrency: string; drain?: boolean }) => {
      const concurrency = Number(o.concurrency);
      if (!Number.isInteger(concurrency) || concurrency < 1) {
        throw new XpError('USAGE', `--concurrency takes a whole number of builds at a time, got "${o.concurrency}"`, { hint: 'e.g. --concurrency 2' });
      }
      const project = await ctx.project(o.config);
      let stop!: () => void;
      const stopped = new Promise<void>((resolve) => (stop = resolve));
      // SIGTERM (systemd, Kubernetes): claim nothing more, let running builds finish
      process.once('SIGTERM', () => stop());
      const out = ctx.io.stdout;
      let lastIdle = '';
      const r = await runWorker(project, {
        concurrency,
        drain: !!o.drain,
        stop: stopped,
        onEvent: (e) => {
          if (e.type === 'claimed') out.write(`claimed ${e.job.data.experimentId}${e.job.retryCount ? ` (retry ${e.job.retryCount})` : ''}\n`);
          else if (e.type === 'line' && e.line.trim()) out.write(`[${e.job.data.experimentId}] ${e.line}\n`);
          else if (e.type === 'finished') {
            const how = e.result.code === 0 ? 'built' : e.result.signal ? `killed by ${e.result.signal}` : `exit ${e.result.code}`;
            out.write(`${e.job.data.experimentId}: ${how} in ${fmtSeconds(e.result.seconds)}; job ${e.outcome === 'completed' ? 'done' : 'handed back for a retry'}\n`);
          } else if (e.type === 'idle') {
            const line = `waiting: ${e.outstanding} job(s) queued, retrying or running elsewhere`;
            if (line !== lastIdle) out.write(`${line}\n`);
            lastIdle = line;
          }
        },
      });
      out.write(`worker done: ${r.completed} job(s) done (${r.buildErrors} with a failed build), ${r.failed} handed back for a retry\n`);
      if (r.buildErrors) ctx.setExit(1);
    });
};
