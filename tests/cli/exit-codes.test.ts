/**
 * The real binary: `node bin/xp.js` exits with the code runCli returns (main.ts is the
 * only process.exit). One spawn per exit code; everything else is tested in-process.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { miniProject, type TempProject } from '../helpers/project.ts';
import { spawnXp } from '../helpers/cli.ts';
import { holdWarehouse } from '../helpers/lock.ts';

let p: TempProject;
beforeAll(async () => {
  p = await miniProject();
});
afterAll(() => p.remove());

describe('node bin/xp.js', () => {
  it('exit 0: a build succeeds, and the analysis plugin in the project loads', async () => {
    const r = await spawnXp(p.root, ['build', '--select', 'all']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/OK {3}exp_b analysis:variant_count 1 rows/);
  });

  it('exit 2: an unknown experiment', async () => {
    const r = await spawnXp(p.root, ['build', '--select', 'exp_nope']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error\[EXPERIMENT_UNKNOWN\] experiment exp_nope: unknown experiment "exp_nope"\n {2}hint: configured experiments: exp_a, exp_b;/);
  });

  it('exit 1: a failing model', async () => {
    const q = await miniProject();
    try {
      q.write('models/marts/variant_totals.sql', 'select experiment_id, broken( from {{ref "filtered"}}\n');
      const r = await spawnXp(q.root, ['build', '--select', 'exp_a']);
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(/FAIL exp_a variant_totals MODEL_FAILED: model variant_totals failed: .*Parser Error: syntax error/);
      // the project-level table that reads every partition waits for them instead of failing on a missing table
      expect(r.stdout).toContain('SKIP (project) all_totals upstream variant_totals failed');
    } finally {
      q.remove();
    }
  });

  it('exit 3: a build while another process keeps the warehouse open longer than XP_WAREHOUSE_WAIT_SECONDS', async () => {
    const holder = await holdWarehouse(p.file('target/warehouse.duckdb'));
    try {
      const r = await spawnXp(p.root, ['build', '--select', 'exp_a'], { timeoutMs: 30_000, env: { XP_WAREHOUSE_WAIT_SECONDS: '1' } });
      expect(r.code).toBe(3);
      expect(r.stderr).toContain(`the warehouse ${p.file('target/warehouse.duckdb')} stayed in use by another process (pid ${holder.pid}) longer than we wait for it`);
    } finally {
      await holder.release();
    }
  });
});
