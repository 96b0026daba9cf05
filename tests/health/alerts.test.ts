/**
 * Alerts from a health report and their delivery to a real HTTP server on loopback: one JSON
 * POST per critical check; a refusing or unreachable webhook and a missing or bad URL variable
 * are clear errors.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertsFrom, ledgerAlerts } from '../../src/health/alerts.ts';
import { initialState, type ExperimentState, type LookRecord } from '../../src/ledger/fold.ts';
import { postAlerts, webhookUrl } from '../../src/health/post-alerts.ts';
import type { HealthCheck, HealthReport } from '../../src/health/types.ts';
import { startWebhook, type Webhook } from '../helpers/webhook.ts';

const check = (name: HealthCheck['check'], status: HealthCheck['status']): HealthCheck => ({ check: name, status, value: `${name} value`, detail: `${name} detail`, deduction: 0 });

const report: HealthReport = {
  asOf: '2026-02-23T00:00:00.000Z',
  critical: true,
  note: null,
  experiments: [
    { experimentId: 'exp_a', name: null, lifecycle: 'running', score: 20, status: 'critical', checks: [check('data', 'ok'), check('srm', 'critical'), check('split', 'warn'), check('freshness', 'critical')] },
    { experimentId: 'exp_b', name: null, lifecycle: 'running', score: 60, status: 'critical', checks: [check('data', 'critical'), check('srm', 'unknown')] },
    { experimentId: 'exp_c', name: null, lifecycle: 'running', score: 100, status: 'ok', checks: [check('data', 'ok'), check('srm', 'ok')] },
  ],
};

let hook: Webhook;
beforeAll(async () => { hook = await startWebhook(); });
afterAll(() => hook.close());

describe('alertsFrom', () => {
  it('one alert per critical check; the data check is no_data; warnings and ok are not alerts', () => {
    expect(alertsFrom(report)).toEqual([
      { experiment: 'exp_a', check: 'srm', severity: 'critical', message: 'srm value: srm detail', as_of: report.asOf },
      { experiment: 'exp_a', check: 'freshness', severity: 'critical', message: 'freshness value: freshness detail', as_of: report.asOf },
      { experiment: 'exp_b', check: 'no_data', severity: 'critical', message: 'data value: data detail', as_of: report.asOf },
    ]);
  });
});

describe('ledgerAlerts', () => {
  const look = (n: number, decision: string): LookRecord => ({ look: n, informationFraction: n / 4, z: -3.2, boundary: 2.8, alphaSpent: 0.01, decision, inputHash: `h${n}`, seq: n, at: report.asOf });
  const state = (id: string, looks: LookRecord[], decision?: string): ExperimentState => ({
    ...initialState(id), looks, ...(decision ? { decision: { decision, reason: 'bounce_rate harmed', seq: 9, at: report.asOf } } : {}),
  });

  it('the last look past a stop boundary and a don\'t-ship decision are critical alerts; an earlier crossing or continue is not', () => {
    expect(ledgerAlerts([
      state('exp_stop', [look(1, 'continue'), look(2, 'stop-harm')], 'dont-ship'),
      state('exp_went_on', [look(1, 'stop-efficacy'), look(2, 'continue')], 'keep-running'),
      state('exp_quiet', [], 'investigate'),
    ], report.asOf)).toEqual([
      { experiment: 'exp_stop', check: 'stop_boundary', severity: 'critical', as_of: report.asOf, message: 'look 2: stop-harm (z -3.200, boundary 2.800); review and stop or complete the experiment' },
      { experiment: 'exp_stop', check: 'harm', severity: 'critical', as_of: report.asOf, message: "decision: don't ship: bounce_rate harmed" },
    ]);
  });
});

describe('postAlerts', () => {
  it('posts each alert as JSON to the webhook', async () => {
    hook.received.length = 0;
    hook.status = 200;
    const alerts = alertsFrom(report);
    expect(await postAlerts(new URL(hook.url), alerts)).toBe(3);
    expect(hook.received.map((r) => r.contentType)).toEqual(Array(3).fill('application/json'));
    expect(hook.received.map((r) => r.body)).toEqual(alerts);
  });

  it('a webhook that refuses is ALERT_FAILED naming the status and the alert', async () => {
    hook.status = 500;
    await expect(postAlerts(new URL(hook.url), alertsFrom(report))).rejects.toMatchObject({
      code: 'ALERT_FAILED', exitCode: 1, location: { experiment: 'exp_a' },
      message: expect.stringMatching(/answered 500 to the srm alert of exp_a/),
    });
    hook.status = 200;
  });

  it('an unreachable webhook is ALERT_FAILED', async () => {
    const closed = await startWebhook();
    await closed.close();
    await expect(postAlerts(new URL(closed.url), alertsFrom(report))).rejects.toMatchObject({ code: 'ALERT_FAILED', message: expect.stringContaining('could not post the srm alert of exp_a') });
  });
});

describe('webhookUrl', () => {
  it('reads the variable the config names', () => {
    expect(webhookUrl('XP_ALERT_URL', { XP_ALERT_URL: 'https://hooks.example/x' }, 'configs/dev.yaml').href).toBe('https://hooks.example/x');
  });

  it.each([
    ['unset', {}, /XP_ALERT_URL, which is not set/],
    ['empty', { XP_ALERT_URL: '' }, /XP_ALERT_URL, which is not set/],
    ['not a URL', { XP_ALERT_URL: 'hooks.example/x' }, /XP_ALERT_URL is not an http\(s\) URL/],
    ['not http', { XP_ALERT_URL: 'ftp://hooks.example/x' }, /XP_ALERT_URL is not an http\(s\) URL/],
  ])('%s is CONFIG_INVALID naming the variable and the config', (_, env, message) => {
    expect(() => webhookUrl('XP_ALERT_URL', env, 'configs/dev.yaml')).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID', message: expect.stringMatching(message), location: { file: 'configs/dev.yaml', object: 'alerts.webhook_env' } }));
  });
});
