/**
 * Builds across processes through the PostgreSQL build queue (src/runner/worker.ts,
 * src/queue/boss.ts) against a real PostgreSQL (tests/helpers/postgres.ts):
 * `xp enqueue` + two `xp worker --drain` build every experiment exactly once, with
 * partitions equal to an embedded build; `xp build --jobs 2` on the same state does too;
 * a worker SIGKILLed mid-job has its job retried, and the result equals an uninterrupted
 * build; the ledger verifies.
 */
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostgres, type PgServer } from '../helpers/postgres.ts';
import { makeProject, REPO, tableHashes, writeRaw } from '../ledger/helpers.ts';
import { addPgConfig, PG_CONFIG, pgRows, xp } from '../state/helpers.ts';

const IDS = ['exp_a', 'exp_b', 'exp_c', 'exp_d'];

let server: PgServer;
beforeAll(async () => {
  server = await startPostgres();
});
afterAll(() => server?.stop());

/** The mini project with four experiments and raw data for each; a gate plugin holds exp_a's build until `release` exists. */
async function fourExperiments(prefix: string): Promise<{ root: string; release: string }> {
  const root = makeProject(prefix);
  const config = path.join(root, 'configs/dev.yaml');
  const extra = ['exp_c', 'exp_d'].map((id) => `  ${id}:\n    name: ${id.toUpperCase()}\n    variants: { control: 0.5, treatment: 0.5 }\n    primary_metric: conversion\n    start: 2026-01-01\n    days: 7\n`).join('');
  writeFileSync(config, readFileSync(config, 'utf8').replace('analyses: { builtin: false }', `${extra}analyses: { builtin: false }`));
  for (const [i, id] of IDS.entries()) await writeRaw(root, id, 0, i * 10, i * 10 + 60);
  const release = path.join(root, 'release-gate');
  writeFileSync(path.join(root, 'analyses/gate.ts'), `
import { existsSync } from 'node:fs';
import { definePlugin } from '${REPO}/src/analyse/plugin.ts';
export default definePlugin({
  name: 'gate', description: 'test: holds exp_a until a file appears', reads: ['variant_totals'], writes: { gate_log: { ok: 'boolean' } },
  async run(ctx) {
    while (ctx.experiment.id === 'exp_a' && !existsSync(${JSON.stringify(release)})) await new Promise((r) => setTimeout(r, 50));
    return { gate_log: [{ ok: true }] };
  },
});
`);
  addPgConfig(root);
  return { root, release };
}

/** The reference: the same project built by one embedded `xp build --select all`. */
async function embeddedReference(): Promise<Record<string, string>> {
  const { root, release } = await fourExperiments('xp-worker-ref-');
  writeFileSync(release, '');
  const r = await xp(root, ['build', '--select', 'all']);
  expect(r.code, r.stderr).toBe(0);
  return tableHashes(root);
}

const buildsStarted = async (url: string): Promise<Record<string, number>> => Object.fromEntries(
  (await pgRows<{ id: string; n: number }>(url, "select experiment_id as id, count(*)::int as n from xp.ledger where kind = 'build_started' group by 1 order by 1"))
    .map((r) => [r.id, r.n]),
);

describe('workers on the PostgreSQL queue', () => {
  let reference: Record<string, string>;
  beforeAll(async () => {
    reference = await embeddedReference();
  });

  it('xp enqueue + two xp worker --drain build every experiment exactly once, equal to the embedded build', async () => {
    const { root, release } = await fourExperiments('xp-worker-');
    writeFileSync(release, '');
    const env = { XP_STATE_URL: await server.createDatabase('queue') };
    const q = await xp(root, ['enqueue', '--select', 'all', '--config', PG_CONFIG], env);
    expect(q.code, q.stderr).toBe(0);
    expect(q.stdout).toContain('4 queued, 0 already waiting');
    // the queue keeps one waiting build per experiment
    expect((await xp(root, ['enqueue', '--select', 'exp_a', '--config', PG_CONFIG], env)).stdout).toContain('already queued exp_a');

    const [w1, w2] = await Promise.all([1, 2].map(() => xp(root, ['worker', '--drain', '--config', PG_CONFIG], env)));
    for (const w of [w1!, w2!]) expect(w.code, w.stdout + w.stderr).toBe(0);
    const claimed = [w1!, w2!].flatMap((w) => [...w.stdout.matchAll(/^claimed (\w+)/gm)].map((m) => m[1]!)).sort();
    expect(claimed).toEqual(IDS);
    expect(await buildsStarted(env.XP_STATE_URL)).toEqual({ exp_a: 1, exp_b: 1, exp_c: 1, exp_d: 1 });
    expect(await tableHashes(root)).toEqual(reference);
    const v = await xp(root, ['ledger', 'verify', '--config', PG_CONFIG], env);
    expect(v.code, v.stdout + v.stderr).toBe(0);
    // nothing left: a third worker drains at once
    const w3 = await xp(root, ['worker', '--drain', '--config', PG_CONFIG], env);
    expect(w3.stdout).toContain('worker done: 0 job(s) done');
  });

  it('xp build --jobs 2 with the state in PostgreSQL builds each experiment once, equal to the embedded build', async () => {
    const { root, release } = await fourExperiments('xp-jobs-pg-');
    writeFileSync(release, '');
    const env = { XP_STATE_URL: await server.createDatabase('jobs') };
    const r = await xp(root, ['build', '--select', 'all', '--jobs', '2', '--config', PG_CONFIG], env);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/4 experiment builds, 2 at a time: 4 succeeded, 0 failed/);
    expect(await buildsStarted(env.XP_STATE_URL)).toEqual({ exp_a: 1, exp_b: 1, exp_c: 1, exp_d: 1 });
    expect(await tableHashes(root)).toEqual(reference);
  });

  it('a worker SIGKILLed mid-job: its job is retried by another worker and the result equals an uninterrupted build', async () => {
    const { root, release } = await fourExperiments('xp-worker-kill-');
    const env = { XP_STATE_URL: await server.createDatabase('killed'), XP_JOB_EXPIRE_SECONDS: '3' };
    expect((await xp(root, ['enqueue', '--select', 'exp_a', '--config', PG_CONFIG], env)).code).toBe(0);

    // the first worker (its own process group, with its child build) holds exp_a at the gate
    const first = spawn(process.execPath, [path.join(REPO, 'bin/xp.js'), 'worker', '--config', PG_CONFIG], {
      cwd: root, env: { ...process.env, ...env, XP_PROGRESS_LINE_SECONDS: '1' }, detached: true, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    await new Promise<void>((resolve, reject) => {
      first.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('still running analysis gate')) resolve();
      });
      first.on('close', (code) => reject(new Error(`worker exited ${code} early:\n${out}`)));
    });
    process.kill(-first.pid!, 'SIGKILL');
    await new Promise((r) => first.once('close', r));

    writeFileSync(release, '');
    const second = await xp(root, ['worker', '--drain', '--config', PG_CONFIG], env);
    expect(second.code, second.stdout + second.stderr).toBe(0);
    expect(second.stdout).toMatch(/^claimed exp_a \(retry \d+\)$/m);
    expect(second.stdout).toMatch(/exp_a: built in .*; job done/);
    expect(second.stdout).toContain('exp_a: resuming after build');

    // the same partitions as an uninterrupted build of the same project
    const { root: plain, release: plainRelease } = await fourExperiments('xp-worker-plain-');
    writeFileSync(plainRelease, '');
    const b = await xp(plain, ['build', '--select', 'exp_a']);
    expect(b.code, b.stderr).toBe(0);
    expect(await tableHashes(root)).toEqual(await tableHashes(plain));
    expect((await xp(root, ['ledger', 'verify', '--config', PG_CONFIG], env)).code).toBe(0);
  });

  it('two machines never build one experiment at once: the second build meets the PostgreSQL advisory lock (exit 3)', async () => {
    // two project folders stand for two machines: their file locks know nothing of each other
    const a = await fourExperiments('xp-machine-a-');
    const b = await fourExperiments('xp-machine-b-');
    const env = { XP_STATE_URL: await server.createDatabase('machines'), XP_PROGRESS_LINE_SECONDS: '1' };
    const first = spawn(process.execPath, [path.join(REPO, 'bin/xp.js'), 'build', '--select', 'exp_a', '--config', PG_CONFIG], {
      cwd: a.root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    await new Promise<void>((resolve, reject) => {
      first.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('still running analysis gate')) resolve();
      });
      first.on('close', (code) => reject(new Error(`build exited ${code} early:\n${out}`)));
    });
    try {
      const second = await xp(b.root, ['build', '--select', 'exp_a', '--config', PG_CONFIG], env);
      expect(second.code).toBe(3);
      expect(second.stderr).toMatch(/EXPERIMENT_LOCKED.*experiment exp_a is being built by another process \(PostgreSQL session \d+/);
      // another experiment builds meanwhile
      writeFileSync(b.release, '');
      expect((await xp(b.root, ['build', '--select', 'exp_b', '--config', PG_CONFIG], env)).code).toBe(0);
    } finally {
      writeFileSync(a.release, '');
      await new Promise((r) => first.once('close', r));
    }
  });

  it('without a PostgreSQL state, xp worker says what it needs (exit 2)', async () => {
    const { root } = await fourExperiments('xp-worker-embedded-');
    const r = await xp(root, ['worker', '--drain']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/xp worker needs the state in PostgreSQL: the build queue lives there/);
    expect(r.stderr).toMatch(/--jobs N/);
  });
});
