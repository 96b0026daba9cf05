/**
 * Post alerts to the webhook the config names (`alerts: { webhook_env: XP_ALERT_URL }`):
 * one JSON POST per alert, so a receiver such as a Slack workflow or an incident tool sees
 * one event per experiment and check. The URL is read from the environment, never a file.
 */
import { XpError } from '../core/errors.ts';
import type { Alert } from './alerts.ts';

/** The webhook URL from the environment variable the config names; a clear error when unset or not http(s). */
export function webhookUrl(envName: string, env: Readonly<Record<string, string | undefined>>, configFile: string): URL {
  const raw = env[envName];
  if (!raw) {
    throw new XpError('CONFIG_INVALID', `alerts.webhook_env names ${envName}, which is not set`, {
      location: { file: configFile, object: 'alerts.webhook_env' },
      hint: `export ${envName}=https://… (the webhook that receives the alerts), or run xp health without --alert`,
    });
  }
  let url: URL;
  try { url = new URL(raw); } catch { url = new URL('invalid:'); }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new XpError('CONFIG_INVALID', `${envName} is not an http(s) URL`, { location: { file: configFile, object: 'alerts.webhook_env' }, hint: `set ${envName} to the webhook's https://… address` });
  }
  return url;
}

/** POST each alert as JSON; the first refusal or network failure stops with ALERT_FAILED naming the alert. */
export async function postAlerts(url: URL, alerts: readonly Alert[], timeoutMs = 10_000): Promise<number> {
  let sent = 0;
  for (const alert of alerts) {
    const what = `the ${alert.check} alert of ${alert.experiment}`;
    let status: number;
    try {
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(alert), signal: AbortSignal.timeout(timeoutMs) });
      status = res.status;
      await res.arrayBuffer();
    } catch (e) {
      throw new XpError('ALERT_FAILED', `could not post ${what} to the webhook (${url.host}): ${(e as Error).message}`, { location: { experiment: alert.experiment }, hint: 'check that the webhook is reachable; the health report was still printed', cause: e });
    }
    if (status < 200 || status >= 300) {
      throw new XpError('ALERT_FAILED', `the webhook (${url.host}) answered ${status} to ${what}`, { location: { experiment: alert.experiment }, hint: 'check the webhook URL and what it expects; the health report was still printed' });
    }
    sent++;
  }
  return sent;
}
