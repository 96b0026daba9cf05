/**
 * The plan made on the warehouse before the scratch (src/runner/up-to-date.ts): a build
 * that finds everything fresh opens no scratch and still records what a build records
 * (build_started and build_finished in an intact ledger, the run row, run_results.json);
 * a build with something to build goes through the scratch as before; warnings the probe
 * gave are not given twice.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BuildOptions, BuildOutcome } from '../../src/runner/run-build.ts';
import { readEvents } from '../../src/ledger/store.ts';
import { verifyLedger } from '../../src/ledger/verify.ts';
import { PartitionMap } from '../../src/plan/partition-map.ts';
import { sameFingerprints } from '../../src/runner/up-to-date.ts';
import { miniProject, writeMiniRaw, type TempProject, buildAll } from '../helpers/project.ts';
import { withDb } from '../helpers/warehouse.ts';
import { xp } from '../ledger/helpers.ts';

let p: TempProject;
beforeEach(async () => {
  p = await miniProject();
});
afterEach(() => p.remove());

const build = (opts: Partial<BuildOptions> = {}): Promise<BuildOutcome> => buildAll(p.root, opts);

const wh = (): string => p.file('target/warehouse.duckdb');
const scratchDir = (): string => p.file('target/scratch');

/** The ledger events a run appended, by experiment: their kinds in order. */
async function runEvents(runId: string): Promise<Record<string, string[]>> {
  return withDb(wh(), async (db) => {
    const events = await readEvents(db, ['exp_a', 'exp_b']);
    return Object.fromEntries([...events].map(([id, list]) => [id, list.filter((e) => (e.payload as { runId?: string }).runId === runId).map((e) => e.kind)]));
  });
}

describe('a build that finds everything fresh', () => {
  it('opens no scratch and records build_started, build_finished, the run row and run_results.json', async () => {
    const first = await build();
    expect(existsSync(scratchDir())).toBe(true);
    rmSync(scratchDir(), { recursive: true, force: true });

    const again = await build();
    expect(again.status).toBe('success');
    expect(again.results.filter((r) => r.status === 'success')).toEqual([]);
    expect(again.results.every((r) => r.reason === 'fresh' || r.reason === 'ephemeral')).toBe(true);
    // the scratch makes target/scratch when it opens: the no-op never opened one
    expect(existsSync(scratchDir())).toBe(false);

    expect(await runEvents(again.runId)).toEqual({ exp_a: ['build_started', 'build_finished'], exp_b: ['build_started', 'build_finished'] });
    // the first build's events through the scratch have the same bounds
    const firstKinds = await runEvents(first.runId);
    for (const id of ['exp_a', 'exp_b']) {
      expect(firstKinds[id]).toContain('build_started');
      expect(firstKinds[id]!.at(-1)).toBe('build_finished');
    }
    const finishedPayload = async (runId: string): Promise<Record<string, unknown>> => withDb(wh(), async (db) =>
      (await readEvents(db, ['exp_a'])).get('exp_a')!.find((e) => e.kind === 'build_finished' && (e.payload as { runId: string }).runId === runId)!.payload as Record<string, unknown>);
    expect(Object.keys(await finishedPayload(again.runId)).sort()).toEqual(Object.keys(await finishedPayload(first.runId)).sort());
    expect((await withDb(wh(), (db) => verifyLedger(db, ['exp_a', 'exp_b']))).map((r) => r.problems)).toEqual([[], []]);

    const [run] = await withDb(wh(), (db) => db.all<{ status: string; results_json: string; finished_at: string | null }>('select status, results_json, finished_at from xp.runs where run_id = $1', [again.runId]));
    expect(run?.status).toBe('success');
    expect(run?.finished_at).not.toBeNull();
    const file = JSON.parse(readFileSync(again.runResultsPath!, 'utf8')) as { run_id: string; results: unknown[] };
    expect(file.run_id).toBe(again.runId);
    expect(JSON.parse(run!.results_json)).toEqual(file.results);
  });

  it('with new raw data goes through the scratch and builds only what changed', async () => {
    await build();
    rmSync(scratchDir(), { recursive: true, force: true });
    await writeMiniRaw(p.file('raw'), { exp_a: 3 }, 'part-1.parquet');
    const o = await build();
    expect(existsSync(scratchDir())).toBe(true);
    const built = o.results.filter((r) => r.status === 'success').map((r) => `${r.node}@${r.experimentId ?? '-'}`).sort();
    expect(built).toEqual(['all_totals@-', 'analysis:variant_count@exp_a', 'stg_events@exp_a', 'user_values@exp_a', 'variant_totals@exp_a']);
    expect((await runEvents(o.runId)).exp_a).toContain('stage_finished');
    expect((await runEvents(o.runId)).exp_b).toEqual(['build_started', 'build_finished']);
  });

  it('gives a ledger warning once when the build then goes through the scratch', async () => {
    await build();
    for (const action of ['start', 'complete']) {
      const r = await xp(p.root, ['experiment', action, 'exp_a', '--reason', 'test']);
      expect(r.code, r.stderr).toBe(0);
    }
    await writeMiniRaw(p.file('raw'), { exp_b: 5 }, 'part-1.parquet');
    const warnings: string[] = [];
    const o = await build({ reporter: (e) => { if (e.type === 'warning') warnings.push(e.message); } });
    expect(o.results.some((r) => r.status === 'success' && r.experimentId === 'exp_b')).toBe(true);
    expect(warnings.filter((w) => w.startsWith('left out: exp_a'))).toEqual(['left out: exp_a is completed; pass --force to rebuild it']);
  });
});

describe('sameFingerprints', () => {
  const map = (entries: [string, string | null, string][]): PartitionMap<string> =>
    new PartitionMap(entries.map(([model, experimentId, fp]) => [{ model, experimentId }, fp]));
  it('holds for the same partitions and fingerprints in any order, and fails on any difference', () => {
    const a = map([['m', 'e1', 'x'], ['n', null, 'y']]);
    expect(sameFingerprints(a, map([['n', null, 'y'], ['m', 'e1', 'x']]))).toBe(true);
    expect(sameFingerprints(a, map([['m', 'e1', 'x'], ['n', null, 'z']]))).toBe(false);
    expect(sameFingerprints(a, map([['m', 'e1', 'x']]))).toBe(false);
    expect(sameFingerprints(a, map([['m', 'e2', 'x'], ['n', null, 'y']]))).toBe(false);
  });
});

