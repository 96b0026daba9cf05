/**
 * `xp health [--select <ids>] [--as-of <date>] [--format table|json]`: running experiments'
 * health (pace, split, SRM, freshness, anomalies, multiple exposures) with a score; exit
 * code 1 when any is critical, so cron or CI can alert on it; with --alert, each critical
 * check is also posted as JSON to the config's webhook. Reads the warehouse only.
 */
import { Option } from 'commander';
import { ExitCode, XpError } from '../../core/errors.ts';
import { alertsFrom, ledgerAlerts } from '../../health/alerts.ts';
import { formatHealth } from '../../health/format.ts';
import { postAlerts, webhookUrl } from '../../health/post-alerts.ts';
import { healthCommand } from '../../health/run-health.ts';
import { ledgerStatesOf } from '../../runner/running-experiments.ts';
import type { RegisterCommand } from '../command.ts';

export const registerHealth: RegisterCommand = (program, ctx, withConfig) => {
  withConfig(program.command('health'))
    .option('-s, --select <experiments>', 'experiment id, comma list, glob or all (default: every running experiment)')
    .option('--as-of <date>', 'judge freshness and pace at this date (YYYY-MM-DD = 00:00 UTC) or ISO time instead of now')
    .option('--alert', 'post each critical check as JSON to the webhook named by alerts.webhook_env in the config')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['table', 'json']).default('table'))
    .action(async (o: { config: string; select?: string; asOf?: string; format: string; alert?: boolean }) => {
      const project = await ctx.project(o.config);
      const alerts = project.config.alerts;
      if (o.alert && !alerts) {
        throw new XpError('USAGE', '--alert needs a webhook in the config', { location: { file: project.config.file }, hint: 'add `alerts: { webhook_env: XP_ALERT_URL }` to the config and export XP_ALERT_URL=https://…' });
      }
      // read the URL before the (slow) health run, so a missing variable fails fast
      const url = o.alert && alerts ? webhookUrl(alerts.webhook_env, ctx.io.env ?? process.env, project.config.file) : null;
      const r = await healthCommand(project, { select: o.select, asOf: o.asOf });
      ctx.io.stdout.write((o.format === 'json' ? JSON.stringify(r, null, 2) : formatHealth(r)) + '\n');
      if (r.critical) ctx.setExit(ExitCode.failed);
      if (url) {
        const states = await ledgerStatesOf(project, r.experiments.map((e) => e.experimentId));
        const sent = await postAlerts(url, [...alertsFrom(r), ...ledgerAlerts(states, r.asOf)]);
        ctx.io.stderr.write(sent ? `posted ${sent} alert${sent === 1 ? '' : 's'} to the webhook\n` : '');
      }
    });
};
