/**
 * `xp run`: the daily job. Builds every running experiment (incremental: only partitions
 * whose inputs, SQL or config changed are rebuilt), then checks their health as `xp health`
 * does and, with `alerts:` in the config, posts each critical check to the webhook. Exit 1
 * when a build failed or an experiment is critical, so cron or a systemd timer sees it.
 * An experiment with `schedule: { every }` whose last rebuild is older than that (at
 * `--as-of` when given) is rebuilt in full, in a build of its own after the others.
 */
import { ExitCode, XpError, formatError } from '../../core/errors.ts';
import { alertsFrom, ledgerAlerts } from '../../health/alerts.ts';
import { formatHealth } from '../../health/format.ts';
import { postAlerts, webhookUrl } from '../../health/post-alerts.ts';
import { healthCommand, parseAsOf } from '../../health/run-health.ts';
import { dueBySchedule, ledgerStatesOf, runningExperiments } from '../../runner/running-experiments.ts';
import type { RegisterCommand } from '../command.ts';
import { buildCommand } from './build.ts';

export const registerRun: RegisterCommand = (program, ctx, withConfig) => {
  withConfig(program.command('run'))
    .option('--as-of <date>', 'judge health (and `schedule:` due-ness) at this date (YYYY-MM-DD = 00:00 UTC) or ISO time instead of now')
    .action(async (o: { config: string; asOf?: string }) => {
      const project = await ctx.project(o.config);
      const alerts = project.config.alerts;
      // read the webhook URL first, so a missing variable fails before an hour of building
      const url = alerts ? webhookUrl(alerts.webhook_env, ctx.io.env ?? process.env, project.config.file) : null;
      const configured = new Set(project.config.experiments.map((e) => e.id));
      // one in the ledger but no longer in the config cannot be built; health notes it
      const ids = (await runningExperiments(project)).filter((id) => configured.has(id));
      if (ids.length) {
        // due by a `schedule:` cadence: rebuilt in full even when nothing changed; the rest incrementally
        const due = await dueBySchedule(project, ids, parseAsOf(o.asOf, () => new Date()));
        for (const [id, why] of due) ctx.io.stdout.write(`${id}: ${why}; rebuilding every partition\n`);
        const rest = ids.filter((id) => !due.has(id));
        for (const [select, fullRefresh] of [[rest, false], [[...due.keys()], true]] as const) {
          if (!select.length) continue;
          try {
            const outcome = await buildCommand(project, { select: select.join(','), skip: new Set(), fullRefresh }, ctx.io.stdout);
            if (outcome.status === 'error') ctx.setExit(ExitCode.failed);
          } catch (err) {
            // a refused build (changed inputs, a lock, missing raw data) must not silence the health check and its alerts
            if (!(err instanceof XpError)) throw err;
            ctx.io.stderr.write(formatError(err) + '\n');
            ctx.setExit(err.exitCode);
          }
        }
      } else {
        ctx.io.stdout.write('no running experiment to build (`xp experiment start <id>` starts one)\n');
      }
      const r = await healthCommand(project, { asOf: o.asOf });
      ctx.io.stdout.write('\n' + formatHealth(r) + '\n');
      if (r.critical) ctx.setExit(ExitCode.failed);
      if (url) {
        const states = await ledgerStatesOf(project, r.experiments.map((e) => e.experimentId));
        const sent = await postAlerts(url, [...alertsFrom(r), ...ledgerAlerts(states, r.asOf)]);
        if (sent) ctx.io.stdout.write(`posted ${sent} alert${sent === 1 ? '' : 's'} to the webhook\n`);
      }
    });
};
