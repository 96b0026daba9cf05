/**
 * Issue 13's figures, as a user waits for them (process wall time, startup included):
 * 20 experiments built serially (one `xp build --select all`) vs `--jobs 2`, and by two
 * `xp worker --drain` processes on a PostgreSQL state (a real server started here, as the
 * tests do); and the latency of `xp query` while a build runs against the same query on an
 * idle warehouse (the floor). Every figure is from the same run on the same raw files.
 */
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { parse, stringify } from 'yaml';
import { startPostgres } from '../tests/helpers/postgres.ts';

const XP = path.resolve('bin/xp.js');
const N_EXPERIMENTS = 20;
const USERS = 20_000;

const run = promisify(execFile);
async function xp(root: string, args: readonly string[], env: Record<string, string> = {}): Promise<number> {
  const t = performance.now();
  await run(process.execPath, [XP, ...args], { cwd: root, env: { ...process.env, NO_COLOR: '1', ...env }, maxBuffer: 256 * 1024 * 1024 });
  return (performance.now() - t) / 1000;
}

/** The shipped models and metrics with N small synthetic experiments. */
function project(): string {
  const root = mkdtempSync(path.join(tmpdir(), 'xp-bench-concurrency-'));
  for (const dir of ['models', 'macros', 'analyses', 'seeds']) cpSync(dir, path.join(root, dir), { recursive: true });
  mkdirSync(path.join(root, 'configs'));
  const doc = parse(readFileSync('configs/dev.yaml', 'utf8')) as Record<string, unknown>;
  const template = Object.values(doc['experiments'] as Record<string, Record<string, unknown>>)[0]!;
  doc['experiments'] = Object.fromEntries(Array.from({ length: N_EXPERIMENTS }, (_, i) => [`bench_c${String(i).padStart(2, '0')}`, {
    ...template, name: `concurrency ${i}`, synth: { ...(template['synth'] as object), seed: 100 + i, n_users: USERS },
  }]));
  writeFileSync(path.join(root, 'configs/dev.yaml'), stringify(doc));
  writeFileSync(path.join(root, 'configs/pg.yaml'), `${stringify(doc).trimEnd()}\nstate: { url_env: XP_STATE_URL }\n`);
  return root;
}

const fmt = (n: number): string => n.toFixed(2);
const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export async function measureConcurrency(log: (s: string) => void): Promise<string[]> {
  const root = project();
  const pg = await startPostgres();
  try {
    log(`concurrency: generating ${N_EXPERIMENTS} experiments of ${USERS.toLocaleString('en-US')} users`);
    await xp(root, ['generate', '--select', 'all']);
    await xp(root, ['build', '--select', 'all']); // registers every experiment; the measured builds are full refreshes
    log('concurrency: serial full refresh');
    const serial = await xp(root, ['build', '--select', 'all', '--full-refresh']);
    log('concurrency: --jobs 2 full refresh');
    const jobs = await xp(root, ['build', '--select', 'all', '--full-refresh', '--jobs', '2']);

    log('concurrency: 2 workers on PostgreSQL');
    const env = { XP_STATE_URL: await pg.createDatabase('bench') };
    await xp(root, ['state', 'migrate', '--to-config', 'configs/pg.yaml'], env);
    const t = performance.now();
    await xp(root, ['enqueue', '--select', 'all', '--full-refresh', '--config', 'configs/pg.yaml'], env);
    await Promise.all([1, 2].map(() => xp(root, ['worker', '--drain', '--config', 'configs/pg.yaml'], env)));
    const workers = (performance.now() - t) / 1000;

    log('concurrency: reader latency');
    const query = ['query', 'select variant, count(*) as n from exp.exposures group by 1', '--config', 'configs/pg.yaml'];
    const idle: number[] = [];
    for (let i = 0; i < 5; i++) idle.push(await xp(root, query, env));
    const during: number[] = [];
    let building = true;
    const build = xp(root, ['build', '--select', 'all', '--full-refresh', '--jobs', '2', '--config', 'configs/pg.yaml'], env).finally(() => (building = false));
    while (building) during.push(await xp(root, query, env));
    await build;

    return [
      `## Many builds at once (issue 13)`,
      '',
      `${N_EXPERIMENTS} experiments of ${USERS.toLocaleString('en-US')} users, full refreshes, process wall time incl. startup.`,
      '',
      '| measure | wall time | vs serial |',
      '| --- | --- | --- |',
      `| serial: one \`xp build --select all --full-refresh\` | ${fmt(serial)} s | 1.00× |`,
      `| \`--jobs 2\` (embedded state) | ${fmt(jobs)} s | ${fmt(jobs / serial)}× |`,
      `| \`xp enqueue\` + 2 × \`xp worker --drain\` (PostgreSQL state) | ${fmt(workers)} s | ${fmt(workers / serial)}× |`,
      '',
      '| reader | median | max | queries |',
      '| --- | --- | --- | --- |',
      `| \`xp query\`, idle warehouse (the floor) | ${fmt(median(idle))} s | ${fmt(Math.max(...idle))} s | ${idle.length} |`,
      `| \`xp query\` during a \`--jobs 2\` build | ${fmt(median(during))} s | ${fmt(Math.max(...during))} s | ${during.length} |`,
      `| **ratio during / idle (median)** | **${fmt(median(during) / median(idle))}** | | |`,
      '',
    ];
  } finally {
    pg.stop();
    rmSync(root, { recursive: true, force: true });
  }
}
