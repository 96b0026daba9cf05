/**
 * Crash safety: a build SIGKILLed at several points leaves every table either as before
 * or fully new, the ledger says which stages committed, and the next build resumes from
 * the first unfinished stage and ends with the same tables as an uninterrupted build.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { statusCommand } from '../../src/cli/commands/status.ts';
import { foldEvents } from '../../src/ledger/fold.ts';
import { verifyChain } from '../../src/ledger/verify.ts';
import { build, ledger, makeProject, project, tableHashes, writeRaw, xp } from './helpers.ts';

async function dayZero(root: string): Promise<void> {
  await writeRaw(root, 'exp_a', 0, 0, 50);
  const out = await build(root);
  expect(out.status).toBe('success');
}

describe('SIGKILL at each stage, then resume', () => {
  let before: Record<string, string>;
  let after: Record<string, string>;

  beforeAll(async () => {
    // the uninterrupted reference: day 0, then day 1
    const ref = makeProject('xp-crash-ref-');
    await dayZero(ref);
    before = await tableHashes(ref);
    await writeRaw(ref, 'exp_a', 1, 50, 100);
    await build(ref);
    after = await tableHashes(ref);
    expect(after['variant_totals']).not.toBe(before['variant_totals']);
  });

  // The build's scratch commits to the warehouse once per stage (src/runner/apply.ts):
  // stg_events and user_values are stage ingest, variant_totals stage metrics.
  const cases: { point: string; committed: string[] }[] = [
    { point: 'after:build_started', committed: [] },
    { point: 'during:stg_events', committed: [] },
    // done in the scratch, but its stage has not committed yet
    { point: 'after:stg_events', committed: [] },
    { point: 'during:user_values', committed: [] },
    // inside the warehouse transaction that commits stage ingest from the build's scratch
    { point: 'during:commit:stg_events', committed: [] },
    // inside the one committing stage metrics: stage ingest stays committed
    { point: 'during:commit:variant_totals', committed: ['stg_events', 'user_values'] },
    { point: 'after:variant_totals', committed: ['stg_events', 'user_values'] },
    { point: 'after:analysis:variant_count', committed: ['stg_events', 'user_values', 'variant_totals'] },
  ];

  for (const { point, committed } of cases) {
    it(`killed ${point}`, async () => {
      const root = makeProject('xp-crash-');
      await dayZero(root);
      await writeRaw(root, 'exp_a', 1, 50, 100);

      const killed = await xp(root, ['build', '--select', 'exp_a'], { XP_TEST_KILL: point });
      expect(killed.signal).toBe('SIGKILL');

      // every table is either as before or fully new
      const mid = await tableHashes(root);
      for (const [table, hash] of Object.entries(mid)) expect([before[table], after[table]], table).toContain(hash);
      for (const node of committed) if (node in mid) expect(mid[node], node).toBe(after[node]);

      const events = await ledger(root);
      expect(verifyChain('exp_a', events).problems).toEqual([]);
      const state = foldEvents('exp_a', events);
      expect(state.lastBuild).toMatchObject({ status: 'unfinished', finished: committed });
      const killedRun = state.lastBuild!.runId;

      const status = (await statusCommand(await project(root), { experimentId: 'exp_a' })).experiments[0]!;
      expect(status.build?.alive).toBe(false);

      const resumed = await xp(root, ['build', '--select', 'exp_a']);
      expect(resumed.code, resumed.stderr).toBe(0);
      expect(resumed.stdout).toMatch(/warning: took over the stale lock of exp_a left by pid \d+ on .* \(process gone\)/);
      expect(resumed.stdout).toContain(`exp_a: resuming after build ${killedRun}`);
      // 3 partitions and all_totals (project-level, built after them, not in the ledger)
      const modelsLeft = point === 'after:analysis:variant_count' ? 0 : 4 - committed.length;
      expect(resumed.stdout).toContain(`plan: ${modelsLeft} to build`);
      if (point === 'after:variant_totals') {
        // its fingerprint includes the partitions the interrupted build committed
        expect(resumed.stdout).toMatch(/OK +\(project\) all_totals/);
      }

      expect(await tableHashes(root)).toEqual(after);
      const final = foldEvents('exp_a', await ledger(root));
      expect(final.lastBuild).toMatchObject({ status: 'success', resumes: killedRun });
      expect(final.builds).toMatchObject({ interrupted: 1, succeeded: 2 });
      expect(final.attempts).toBe(0);
      expect(final.stages['analysis:variant_count']?.lastStatus).toBe('finished');
      expect((await xp(root, ['ledger', 'verify'])).code).toBe(0);
    });
  }
});
