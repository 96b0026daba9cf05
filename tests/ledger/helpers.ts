/**
 * Shared by the ledger tests: a temp copy of the mini fixture project with raw data made
 * by DuckDB, the CLI as a child process, and content hashes of the model tables.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openDb } from '../../src/engine/connection.ts';
import { loadProject, type Project } from '../../src/runner/load-project.ts';
import { runBuild, type BuildOptions, type BuildOutcome } from '../../src/runner/run-build.ts';
import { readEvents } from '../../src/ledger/store.ts';
import type { LedgerEvent } from '../../src/ledger/events.ts';
import type { LookRecord } from '../../src/ledger/fold.ts';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const FIXTURE = path.join(REPO, 'tests/fixtures/projects/mini');

const made: string[] = [];
process.on('exit', () => { for (const dir of made) rmSync(dir, { recursive: true, force: true }); });

/** A fresh copy of the mini project (no raw data, no target) in a temp folder, removed when the worker exits. */
export function makeProject(prefix = 'xp-ledger-'): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  made.push(dir);
  const root = path.join(dir, 'mini');
  cpSync(FIXTURE, root, {
    recursive: true,
    filter: (src) => !/[/\\](raw|target)([/\\]|$)/.test(path.relative(FIXTURE, src) ? `/${path.relative(FIXTURE, src)}` : ''),
  });
  // the plugin imports the runner by a relative path that only works inside the repo
  const plugin = path.join(root, 'analyses/variant_count.ts');
  writeFileSync(plugin, readFileSync(plugin, 'utf8').replace(/'(\.\.\/)+src\//g, `'${REPO}/src/`));
  writeFileSync(path.join(root, 'package.json'), '{ "type": "module" }\n');
  return root;
}

/** Write raw/<id>/events/part-<part>.parquet with users [from, to): deterministic values. */
export async function writeRaw(root: string, experimentId: string, part: number, from: number, to: number, mtime?: Date): Promise<string> {
  const file = path.join(root, 'raw', experimentId, 'events', `part-${part}.parquet`);
  mkdirSync(path.dirname(file), { recursive: true });
  const db = await openDb(':memory:');
  try {
    await db.run(
      `copy (select $1::varchar as experiment_id, i::bigint as user_id,
                    case when i % 2 = 0 then 'control' else 'treatment' end as variant,
                    ((i * 7) % 13 + case when i % 2 = 1 then 1 else 0 end)::double as value
             from range($2::bigint, $3::bigint) t(i))
       to '${file.replaceAll("'", "''")}' (format parquet)`,
      [experimentId, from, to],
    );
  } finally {
    db.close();
  }
  if (mtime) (await import('node:fs')).utimesSync(file, mtime, mtime);
  return file;
}

export function configPath(root: string): string {
  return path.join(root, 'configs/dev.yaml');
}

export function editConfig(root: string, edit: (yaml: string) => string): void {
  const file = configPath(root);
  const before = readFileSync(file, 'utf8');
  const after = edit(before);
  if (after === before) throw new Error('editConfig changed nothing');
  writeFileSync(file, after);
}

export async function project(root: string): Promise<Project> {
  return loadProject('configs/dev.yaml', root);
}

export async function build(root: string, opts: Partial<BuildOptions> = {}): Promise<BuildOutcome> {
  return runBuild(await project(root), { select: 'exp_a', ...opts });
}

export interface CliResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export function xp(root: string, args: readonly string[], env: Record<string, string> = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(REPO, 'bin/xp.js'), ...args], { cwd: root, env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/** Start the CLI and resolve once `ready(stdout)` holds; returns the child and its finish. */
export function xpUntil(root: string, args: readonly string[], ready: (stdout: string) => boolean, env: Record<string, string> = {}) {
  const child = spawn(process.execPath, [path.join(REPO, 'bin/xp.js'), ...args], { cwd: root, env: { ...process.env, ...env } });
  let stdout = '';
  let stderr = '';
  const done = new Promise<CliResult>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
  const started = new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      if (ready(stdout)) resolve();
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    void done.then((r) => reject(new Error(`exited before ready (code ${r.code}): ${r.stdout}\n${r.stderr}`)));
  });
  return { child, started, done };
}

export function warehouse(root: string): string {
  return path.join(root, 'target/warehouse.duckdb');
}

/** sha256 of every exp.* table's rows in a stable order, by table. */
export async function tableHashes(root: string): Promise<Record<string, string>> {
  const db = await openDb(warehouse(root), { readOnly: true });
  try {
    const tables = await db.all<{ name: string }>("select table_name as name from information_schema.tables where table_schema = 'exp' order by 1");
    const out: Record<string, string> = {};
    for (const { name } of tables) {
      const rows = await db.all(`select * from exp."${name}" order by all`);
      out[name] = createHash('sha256').update(JSON.stringify(rows)).digest('hex');
    }
    return out;
  } finally {
    db.close();
  }
}

export async function ledger(root: string, id = 'exp_a'): Promise<LedgerEvent[]> {
  const db = await openDb(warehouse(root), { readOnly: true });
  try {
    return (await readEvents(db, [id])).get(id) ?? [];
  } finally {
    db.close();
  }
}

export function kinds(events: readonly LedgerEvent[]): string[] {
  return events.map((e) => e.kind);
}

export function files(dir: string): string[] {
  try {
    return readdirSync(dir).sort();
  } catch {
    return [];
  }
}

/**
 * A stand-in for the sequential plugin, using the ledger's looks API the way it will:
 * one look per input snapshot while running, Lan-DeMets O'Brien-Fleming spending, the
 * boundary of each look from the alpha spent at the previous looks in the ledger.
 */
export function addSequentialProbe(root: string, plan = { looks: 4, target_n_per_arm: 120 }): void {
  editConfig(root, (y) => y.replace('  exp_a:\n    name: A\n', `  exp_a:\n    name: A\n    sequential: { looks: ${plan.looks}, target_n_per_arm: ${plan.target_n_per_arm} }\n`));
  writeFileSync(path.join(root, 'analyses/seq_probe.ts'), `
import { definePlugin } from '${REPO}/src/analyse/plugin.ts';
import { normalCdf, normalQuantile } from '${REPO}/src/stats/distributions.ts';

export default definePlugin({
  name: 'seq_probe',
  description: 'test probe: a sequential look per input snapshot, kept in the ledger',
  reads: ['variant_totals'],
  writes: { seq_probe_looks: { look: 'bigint', information_fraction: 'double', z: 'double', boundary: 'double', alpha_spent: 'double', decision: 'varchar' } },
  async run(ctx) {
    const plan = ctx.experiment.sequential;
    const rows = await ctx.query<{ variant: string; n: number; total: number }>(
      'select variant, n, total from exp.variant_totals where experiment_id = $experiment_id order by variant');
    const before = await ctx.ledger.lookContext();
    if (plan && before.canLook && !before.currentLook && rows.length === 2) {
      const [c, t] = rows as [{ n: number; total: number }, { n: number; total: number }];
      const fraction = Math.min(1, Math.min(c.n, t.n) / plan.target_n_per_arm);
      const spent = 2 - 2 * normalCdf(normalQuantile(1 - plan.alpha / 2) / Math.sqrt(fraction));
      const boundary = normalQuantile(1 - Math.max(spent - before.alphaSpent, 1e-12) / 2);
      const z = (t.total / t.n - c.total / c.n) / Math.sqrt(16 * (1 / c.n + 1 / t.n));
      await ctx.ledger.recordLook({ informationFraction: fraction, z, boundary, alphaSpent: spent,
        decision: Math.abs(z) >= boundary ? 'stop-efficacy' : 'continue', details: { n: [c.n, t.n] } });
    }
    const { looks } = await ctx.ledger.lookContext();
    return { seq_probe_looks: looks.map((l) => ({ look: l.look, information_fraction: l.informationFraction, z: l.z,
      boundary: l.boundary, alpha_spent: l.alphaSpent, decision: l.decision })) };
  },
});
`);
}

/** Looks without the fields that name when and where they were recorded. */
export function lookValues(looks: readonly LookRecord[]): unknown[] {
  return looks.map(({ seq: _s, at: _a, inputHash: _i, runId: _r, ...rest }) => rest);
}
