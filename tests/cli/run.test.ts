/**
 * `xp run` on the shipped project: builds only the running experiments, then checks their
 * health and posts the critical checks to a webhook on loopback; exit 1 when one is
 * critical; a second run rebuilds nothing; an unset webhook variable fails before building;
 * a refused build is reported and health still runs on the previous good partition.
 */
import { existsSync, rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { xp } from '../helpers/cli.ts';
import type { TempProject } from '../helpers/project.ts';
import { startWebhook, type Webhook } from '../helpers/webhook.ts';
import { shippedProject } from '../report/support/shipped-project.ts';

const SKEWED = 'exp_checkout_button_001';
const IDLE = 'exp_add_cart_002';
const AS_OF = '2026-02-23';

let p: TempProject;
let hook: Webhook;

const builtIds = async (): Promise<string[]> => {
  const r = await xp(p.root, 'query', 'select distinct experiment_id from exp.exposures order by 1', '--format', 'json');
  return r.code === 0 ? (JSON.parse(r.stdout) as { experiment_id: string }[]).map((x) => x.experiment_id) : [];
};

beforeAll(async () => {
  p = shippedProject({ only: [SKEWED, IDLE], nUsers: 3000, edit: { [SKEWED]: { 'synth.srm_skew': 0.08 } } });
  p.write('configs/dev.yaml', `${p.read('configs/dev.yaml')}\nalerts: { webhook_env: XP_TEST_RUN_ALERT_URL }\n`);
  expect((await xp(p.root, 'generate', '--select', 'all')).code).toBe(0);
  hook = await startWebhook();
});
afterAll(async () => { p?.remove(); await hook?.close(); });

describe('xp run', () => {
  it('an unset webhook variable is exit 2 before anything is built', async () => {
    delete process.env.XP_TEST_RUN_ALERT_URL;
    const r = await xp(p.root, 'run', '--as-of', AS_OF);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/error\[CONFIG_INVALID\].*XP_TEST_RUN_ALERT_URL, which is not set/);
    expect(await builtIds()).toEqual([]);
  });

  it('builds only the running experiment, then alerts on its SRM and exits 1', async () => {
    process.env.XP_TEST_RUN_ALERT_URL = hook.url;
    try {
      const none = await xp(p.root, 'run', '--as-of', AS_OF);
      expect(none.code).toBe(0);
      expect(none.stdout).toContain('no running experiment to build');
      expect(hook.received).toEqual([]);

      const start = await xp(p.root, 'experiment', 'start', SKEWED);
      expect(start.stderr).toBe('');
      expect(start.code).toBe(0);
      const r = await xp(p.root, 'run', '--as-of', AS_OF);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(/^plan: 12 to build, 0 up to date/);
      expect(await builtIds()).toEqual([SKEWED]);
      expect(r.stdout).toMatch(new RegExp(`${SKEWED}\\s+CRITICAL\\s+\\d+\\s+running\\s+.*srm:CRITICAL`));
      expect(r.stdout).not.toContain(IDLE);
      const bodies = hook.received.map((x) => x.body as { experiment: string; check: string; severity: string });
      expect(bodies.length).toBeGreaterThan(0);
      expect(bodies.every((b) => b.experiment === SKEWED && b.severity === 'critical')).toBe(true);
      expect(bodies.map((b) => b.check)).toContain('srm');
      expect(r.stdout).toContain(`posted ${bodies.length} alert`);

      // nothing changed: the second run rebuilds no model and alerts again
      hook.received.length = 0;
      const again = await xp(p.root, 'run', '--as-of', AS_OF);
      expect(again.code).toBe(1);
      expect(again.stdout).toMatch(/^plan: 0 to build, 12 up to date/);
      expect(again.stdout).toContain('22 steps: 0 built, 22 up to date, 0 skipped, 0 failed');
      expect(hook.received.length).toBe(bodies.length);
    } finally {
      delete process.env.XP_TEST_RUN_ALERT_URL;
    }
  });

  it('a refused build is reported and the health check and its alerts still run', async () => {
    process.env.XP_TEST_RUN_ALERT_URL = hook.url;
    hook.received.length = 0;
    const raw = p.file(`data/raw/exp_platform/${SKEWED}`);
    expect(existsSync(raw)).toBe(true);
    rmSync(raw, { recursive: true });
    try {
      const r = await xp(p.root, 'run', '--as-of', AS_OF);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/^error\[RAW_DATA_MISSING\] .*no raw exposures files for experiment exp_checkout_button_001/);
      // the previous good partition stays in place, and health judges it
      expect(await builtIds()).toEqual([SKEWED]);
      expect(r.stdout).toMatch(new RegExp(`${SKEWED}\\s+CRITICAL`));
      expect(hook.received.length).toBeGreaterThan(0);
    } finally {
      delete process.env.XP_TEST_RUN_ALERT_URL;
    }
  });
});
