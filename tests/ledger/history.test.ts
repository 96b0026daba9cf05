/**
 * The ledger on a real warehouse: a history of builds and lifecycle actions, replayed with
 * --at, equals what `xp status` showed live; the build session's live state equals the
 * fold; verify catches edited, deleted and lost events, and a build refuses a broken chain.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { openDb } from '../../src/engine/connection.ts';
import { ensurePlatformTables } from '../../src/engine/platform-store.ts';
import { silentReporter } from '../../src/core/events.ts';
import { openBuildLedger } from '../../src/ledger/build-session.ts';
import { foldEvents, type ExperimentState } from '../../src/ledger/fold.ts';
import { readExperimentEvents } from '../../src/ledger/store.ts';
import { statusCommand } from '../../src/cli/commands/status.ts';
import { verifyCommand } from '../../src/cli/commands/ledger.ts';
import { experimentCommand } from '../../src/cli/commands/experiment.ts';
import { build, editConfig, kinds, ledger, makeProject, project, warehouse, writeRaw, xp } from './helpers.ts';

async function live(root: string): Promise<ExperimentState> {
  return (await statusCommand(await project(root), { experimentId: 'exp_a' })).experiments[0]!.state;
}

describe('history: replay equals live', () => {
  let root: string;
  const seen: ExperimentState[] = [];

  beforeAll(async () => {
    root = makeProject();
    await writeRaw(root, 'exp_a', 0, 0, 60);
    await writeRaw(root, 'exp_b', 0, 0, 60);
    const ops: (() => Promise<unknown>)[] = [
      () => build(root),
      async () => experimentCommand(await project(root), 'start', 'exp_a'),
      () => build(root),
      () => writeRaw(root, 'exp_a', 1, 60, 120).then(() => build(root)),
      async () => experimentCommand(await project(root), 'pause', 'exp_a', { reason: 'holiday freeze' }),
      () => build(root),
      async () => experimentCommand(await project(root), 'resume', 'exp_a'),
      () => { editConfig(root, (y) => y.replace('name: A\n', 'name: A renamed\n')); return build(root); },
      async () => experimentCommand(await project(root), 'complete', 'exp_a'),
    ];
    for (const op of ops) {
      await op();
      seen.push(await live(root));
    }
  });

  it('records the history in order', async () => {
    expect(kinds(await ledger(root))).toEqual([
      'registered', 'config_snapshot', 'input_snapshot', 'build_started', 'stage_finished', 'stage_finished', 'stage_finished', 'stage_finished', 'build_finished',
      // a status change re-runs the analyses (status is part of their fingerprint)
      'status_changed',
      'build_started', 'stage_finished', 'build_finished',
      'input_snapshot', 'build_started', 'stage_finished', 'stage_finished', 'stage_finished', 'stage_finished', 'build_finished',
      'status_changed',
      'build_started', 'stage_finished', 'build_finished',
      'status_changed',
      'config_changed', 'build_started', 'stage_finished', 'stage_finished', 'build_finished',
      'status_changed',
    ]);
    const s = seen.at(-1)!;
    expect(s.status).toBe('completed');
    expect(s.statusHistory.map((h) => h.action)).toEqual(['start', 'pause', 'resume', 'complete']);
    expect(s.statusHistory[1]!.reason).toBe('holiday freeze');
    expect(s.configChanges).toMatchObject([{ design: false, changes: [{ path: 'experiment.name', from: 'A', to: 'A renamed' }] }]);
    expect(s.builds).toEqual({ started: 5, succeeded: 5, failed: 0, interrupted: 0 });
    expect(Object.keys(s.stages).sort()).toEqual(['analysis:variant_count', 'stg_events', 'user_values', 'variant_totals']);
  });

  it('status --at <seq> and --at <timestamp> give what status showed live', async () => {
    const p = await project(root);
    for (const state of seen) {
      const bySeq = (await statusCommand(p, { experimentId: 'exp_a', at: String(state.seq) })).experiments[0]!.state;
      expect(bySeq).toEqual(state);
      const byTime = (await statusCommand(p, { experimentId: 'exp_a', at: state.at! })).experiments[0]!.state;
      expect(byTime).toEqual(state);
    }
  });

  it('the CLI prints the state and its JSON', async () => {
    const table = await xp(root, ['status']);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/exp_a\s+completed/);
    expect(table.stdout).toMatch(/exp_b\s+draft/);
    const one = await xp(root, ['status', 'exp_a', '--at', '10', '--format', 'json']);
    expect(JSON.parse(one.stdout)).toMatchObject({ at: '10', experimentId: 'exp_a', state: { status: 'running', seq: 10 } });
    const detail = await xp(root, ['status', 'exp_a']);
    expect(detail.stdout).toMatch(/status {5}completed since/);
    expect(detail.stdout).toMatch(/builds {5}5 started, 5 succeeded, 0 failed, 0 interrupted/);
    const bad = await xp(root, ['status', 'exp_a', '--at', 'yesterday-ish']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/error\[USAGE\]: --at "yesterday-ish" is neither a seq nor a timestamp/);
  });
});

describe('the build session keeps a live state equal to the fold', () => {
  it('after registering, snapshot, stages and finish', async () => {
    const root = makeProject();
    await writeRaw(root, 'exp_a', 0, 0, 40);
    const p = await project(root);
    const db = await openDb(warehouse(root));
    try {
      await ensurePlatformTables(db);
      const session = await openBuildLedger(db, p, [p.config.experiments[0]!], { runId: 'run-1', reporter: silentReporter });
      await session.started(new Map([['exp_a', { experimentId: 'exp_a', objects: [{ key: 'exp_a/events/part-0.parquet', size: 1, etag: 'x' }], hash: 'h1' }]]));
      const step = { experimentId: 'exp_a', model: 'stg_events', materialized: 'partitioned', stage: 'ingest', action: 'build', reason: 'new', fingerprint: 'fp', sql: '' } as const;
      await db.transaction(async (tx) => session.stages.committed(await session.stages.record(tx, step, 10, 0.5)));
      await session.finished([
        { experimentId: 'exp_a', node: 'stg_events', stage: 'ingest', status: 'success', rows: 10, seconds: 0.5, fingerprint: 'fp' },
        { experimentId: 'exp_a', node: 'user_values', stage: 'ingest', status: 'error', message: 'boom', code: 'MODEL_FAILED', seconds: 0.1, fingerprint: 'fp2' },
        { experimentId: 'exp_a', node: 'variant_totals', stage: 'metrics', status: 'skipped', reason: 'upstream-failed', upstream: 'user_values', seconds: 0 },
        { experimentId: 'exp_a', node: 'filtered', stage: 'ingest', status: 'skipped', reason: 'ephemeral', seconds: 0 },
      ]);
      const events = await readExperimentEvents(db, 'exp_a');
      expect(kinds(events)).toEqual(['registered', 'config_snapshot', 'input_snapshot', 'build_started', 'stage_finished', 'stage_failed', 'stage_skipped', 'build_finished']);
      expect(session.state('exp_a')).toEqual(foldEvents('exp_a', events));
      expect(session.state('exp_a')).toMatchObject({ attempts: 1, firstError: { node: 'user_values', message: 'boom' }, lastBuild: { status: 'error' } });
    } finally {
      db.close();
    }
  });
});

describe('verify', () => {
  async function tampered(sql: string, params: (string | number)[] = []): Promise<string> {
    const root = makeProject();
    await writeRaw(root, 'exp_a', 0, 0, 40);
    await build(root);
    await experimentCommand(await project(root), 'start', 'exp_a');
    const db = await openDb(warehouse(root));
    try {
      await db.run(sql, params);
    } finally {
      db.close();
    }
    return root;
  }

  it('passes an intact ledger', async () => {
    const root = makeProject();
    await writeRaw(root, 'exp_a', 0, 0, 40);
    await writeRaw(root, 'exp_b', 0, 0, 40);
    await build(root, { select: 'all' });
    const r = await xp(root, ['ledger', 'verify']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^ok {6}exp_a: 9 events, head [0-9a-f]{12}$/m);
    expect(r.stdout).toMatch(/^ok {6}exp_b: /m);
  });

  it('names the experiment and seq of an edited event (exit 1)', async () => {
    const root = await tampered(`update xp.ledger set payload = '{"name":"B"}' where experiment_id = 'exp_a' and seq = 1`);
    const reports = await verifyCommand(await project(root));
    expect(reports.find((r) => r.experimentId === 'exp_a')!.problems.map((p) => [p.seq, p.problem])).toEqual([[1, 'edited']]);
    const r = await xp(root, ['ledger', 'verify']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/BROKEN {2}exp_a seq 1: edited: hash does not match the event's content \(the registered event was edited\)/);
    expect(r.stderr).toMatch(/error\[LEDGER_CORRUPT\] experiment exp_a: 1 broken chain\(s\); first: exp_a at seq 1/);
  });

  it('names a deleted event, and a deleted newest event', async () => {
    const mid = await tampered("delete from xp.ledger where experiment_id = 'exp_a' and seq = 5");
    expect((await verifyCommand(await project(mid), 'exp_a'))[0]!.problems.map((p) => [p.seq, p.problem])).toEqual([[5, 'missing']]);
    const last = await tampered("delete from xp.ledger where experiment_id = 'exp_a' and seq = (select max(seq) from xp.ledger where experiment_id = 'exp_a')");
    const r = await xp(last, ['ledger', 'verify', '--select', 'exp_a']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/BROKEN {2}exp_a seq 10: head-mismatch: the chain ends at seq 9 but its head is seq 10: the newest events were deleted/);
  });

  it('a build refuses to append to a broken chain', async () => {
    const root = await tampered("update xp.ledger set kind = 'look' where experiment_id = 'exp_a' and seq = 3");
    const r = await xp(root, ['build', '--select', 'exp_a']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/error\[LEDGER_CORRUPT\] experiment exp_a: the ledger of exp_a is broken at seq 3: hash does not match/);
    const s = await xp(root, ['experiment', 'pause', 'exp_a']);
    expect(s.code).toBe(1);
  });
});
