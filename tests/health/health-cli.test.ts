/**
 * `xp health` on real builds of the shipped project: an experiment generated with
 * `srm_skew` and one whose data stopped early (stale) are flagged critical, exit code 1,
 * table and JSON; no running experiment is exit 0; a bad --as-of is exit 2.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { xp } from '../helpers/cli.ts';
import type { TempProject } from '../helpers/project.ts';
import type { HealthReport } from '../../src/health/types.ts';
import { shippedProject } from '../report/support/shipped-project.ts';
import { startWebhook } from '../helpers/webhook.ts';

const SKEWED = 'exp_checkout_button_001';
const STALE = 'exp_add_cart_002';
/** the day after the add-cart window ends (2026-02-02 + 21 days); the checkout window ended 2026-01-19 */
const AS_OF = '2026-02-23';

let p: TempProject;

beforeAll(async () => {
  p = shippedProject({
    only: [SKEWED, STALE],
    nUsers: 3000,
    edit: { [SKEWED]: { 'synth.srm_skew': 0.08 }, [STALE]: { 'synth.days': 10 } },
  });
  const r = await xp(p.root, 'build', '--select', 'all', '--generate-synth', '--skip-memo');
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
});
afterAll(() => p?.remove());

const json = async (...argv: string[]): Promise<{ code: number; report: HealthReport }> => {
  const r = await xp(p.root, 'health', '--as-of', AS_OF, '--format', 'json', ...argv);
  expect(r.stderr).toBe('');
  return { code: r.code, report: JSON.parse(r.stdout) as HealthReport };
};

describe('xp health', () => {
  it('with no running experiment: nothing to check, exit 0', async () => {
    const { code, report } = await json();
    expect(code).toBe(0);
    expect(report.experiments).toEqual([]);
    expect(report.note).toContain('no running experiment');
  });

  it('flags the SRM-skewed and the stale experiment as critical and exits 1', async () => {
    for (const id of [SKEWED, STALE]) expect((await xp(p.root, 'experiment', 'start', id)).code).toBe(0);
    const { code, report } = await json();
    expect(code).toBe(1);
    expect(report.critical).toBe(true);
    expect(report.asOf).toBe('2026-02-23T00:00:00.000Z');
    const byId = new Map(report.experiments.map((e) => [e.experimentId, e]));
    expect([...byId.keys()].sort()).toEqual([SKEWED, STALE].sort());
    const check = (id: string, name: string) => byId.get(id)!.checks.find((c) => c.check === name)!;

    expect(byId.get(SKEWED)).toMatchObject({ status: 'critical', lifecycle: 'running' });
    expect(check(SKEWED, 'srm')).toMatchObject({ status: 'critical', deduction: 40 });
    // the daily check is the same test on the cumulative counts: it never says every day matches beside a mismatch
    expect(check(SKEWED, 'srm_daily').status).toBe('warn');
    expect(check(SKEWED, 'srm_daily').detail).toMatch(/^the split has been off since 2026-01-/);
    expect(check(SKEWED, 'split').status).toBe('warn');
    expect(check(SKEWED, 'freshness').status).toBe('ok');

    expect(byId.get(STALE)!.status).toBe('critical');
    expect(check(STALE, 'freshness')).toMatchObject({ status: 'critical', deduction: 40 });
    expect(check(STALE, 'freshness').value).toMatch(/^1\d\.\d days$/);
    expect(check(STALE, 'srm').status).toBe('ok');
    for (const e of report.experiments) expect(e.score).toBe(Math.max(0, 100 - e.checks.reduce((s, c) => s + c.deduction, 0)));
  });

  it('prints a table with the flags and each check in full', async () => {
    const r = await xp(p.root, 'health', '--as-of', AS_OF);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(new RegExp(`${SKEWED}\\s+CRITICAL\\s+\\d+\\s+running\\s+.*srm:CRITICAL`));
    expect(r.stdout).toMatch(new RegExp(`${STALE}\\s+CRITICAL\\s+\\d+\\s+running\\s+.*freshness:CRITICAL`));
    expect(r.stdout).toMatch(/CRITICAL\s+freshness\s+1\d\.\d days\s+-40\s+newest event 2026-02-1\d.* vs the window end 2026-02-23T00:00:00.000Z: data stopped arriving/);
    expect(r.stdout).toContain('critical: at least one experiment needs attention (exit code 1)');
  });

  it('--alert posts each critical check to the webhook of the config (a real loopback server)', async () => {
    const noHook = await xp(p.root, 'health', '--as-of', AS_OF, '--alert');
    expect(noHook.code).toBe(2);
    expect(noHook.stderr).toMatch(/^error\[USAGE\].*: --alert needs a webhook in the config/);

    const dev = p.read('configs/dev.yaml');
    p.write('configs/dev.yaml', `${dev}\nalerts: { webhook_env: XP_TEST_ALERT_URL }\n`);
    const hook = await startWebhook();
    try {
      const unset = await xp(p.root, 'health', '--as-of', AS_OF, '--alert');
      expect(unset.code).toBe(2);
      expect(unset.stderr).toMatch(/error\[CONFIG_INVALID\].*alerts.webhook_env names XP_TEST_ALERT_URL, which is not set/);
      expect(hook.received).toEqual([]);

      process.env.XP_TEST_ALERT_URL = hook.url;
      const r = await xp(p.root, 'health', '--as-of', AS_OF, '--alert', '--format', 'json');
      expect(r.code).toBe(1);
      const report = JSON.parse(r.stdout) as HealthReport;
      const expected = report.experiments.flatMap((e) => e.checks.filter((c) => c.status === 'critical').map((c) => ({ experiment: e.experimentId, check: c.check })));
      expect(expected).toEqual(expect.arrayContaining([{ experiment: SKEWED, check: 'srm' }, { experiment: STALE, check: 'freshness' }]));
      expect(r.stderr).toBe(`posted ${expected.length} alerts to the webhook\n`);
      expect(hook.received.map((x) => x.body)).toEqual(expected.map((a) => expect.objectContaining({ ...a, severity: 'critical', as_of: report.asOf, message: expect.any(String) })));

      hook.status = 503;
      const refused = await xp(p.root, 'health', '--as-of', AS_OF, '--alert');
      expect(refused.code).toBe(1);
      expect(refused.stdout).toContain('critical: at least one experiment needs attention');
      expect(refused.stderr).toMatch(/error\[ALERT_FAILED\].*answered 503/);
    } finally {
      delete process.env.XP_TEST_ALERT_URL;
      p.write('configs/dev.yaml', dev);
      await hook.close();
    }
  });

  it('--select narrows to the experiments named; an early --as-of judges the data as of then', async () => {
    const { code, report } = await json('--select', STALE);
    expect(report.experiments.map((e) => e.experimentId)).toEqual([STALE]);
    expect(code).toBe(1);
    const early = await xp(p.root, 'health', '--select', STALE, '--as-of', '2026-02-10T12:00:00Z', '--format', 'json');
    const checks = (JSON.parse(early.stdout) as HealthReport).experiments[0]!.checks;
    const by = (name: string) => checks.find((c) => c.check === name)!;
    expect(by('freshness').status).toBe('ok');
    // every check sees the data as of then, not only freshness: fewer users, and pace against the plan so far
    const late = report.experiments[0]!.checks;
    const users = (cs: typeof checks) => Number(cs.find((c) => c.check === 'data')!.value.replace(/\D/g, ''));
    expect(users(checks)).toBeLessThan(users(late));
    expect(by('pace').detail).toMatch(/planned by as-of \(8 of 21 days over\)/);
    expect(by('srm').detail).toContain(`chi-square of the ${by('data').value.replace(' users', '')} users so far`);
  });

  it('a bad --as-of is a usage error (exit 2)', async () => {
    const r = await xp(p.root, 'health', '--as-of', 'yesterday');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error\[USAGE\]: --as-of "yesterday" is not a date/);
  });
});
