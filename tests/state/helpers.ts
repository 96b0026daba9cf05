/**
 * Shared by the state tests: the legacy fixture in a temp folder, a second config of a
 * project that keeps its state in PostgreSQL, and direct reads of a PostgreSQL state.
 */
import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import pg from 'pg';
import { copyFixtureProject, dayMtime, EXPECTED, FIXTURE_PROJECT, rawFile, WAREHOUSE_GZ } from '../fixtures/legacy/make.ts';
import { REPO } from '../ledger/helpers.ts';

export const PG_CONFIG = 'configs/pg.yaml';

const made: string[] = [];
process.on('exit', () => { for (const dir of made) rmSync(dir, { recursive: true, force: true }); });

export interface LegacyExpected {
  readonly madeWith: string;
  readonly rawMtimes: Readonly<Record<string, string>>;
  readonly verify: string;
  readonly statusList: string;
  readonly status: { readonly state: Record<string, unknown> & { readonly looks: readonly Record<string, unknown>[]; readonly alphaSpent: number; readonly seq: number; readonly head: string } };
}

export function legacyExpected(): LegacyExpected {
  return JSON.parse(readFileSync(EXPECTED, 'utf8')) as LegacyExpected;
}

/** tests/fixtures/legacy in a temp folder: the project, its raw files with their mtimes, the old warehouse. */
export function legacyProject(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'xp-legacy-'));
  made.push(dir);
  const root = path.join(dir, 'mini');
  copyFixtureProject(root, REPO);
  for (const [rel, at] of Object.entries(legacyExpected().rawMtimes)) {
    const dest = path.join(root, rel);
    mkdirSync(path.dirname(dest), { recursive: true });
    cpSync(path.join(FIXTURE_PROJECT, rel), dest);
    // the local store's ETag is size-mtime: a checkout's mtime would read as rewritten data
    utimesSync(dest, new Date(at), new Date(at));
  }
  mkdirSync(path.join(root, 'target'), { recursive: true });
  writeFileSync(path.join(root, 'target/warehouse.duckdb'), gunzipSync(readFileSync(WAREHOUSE_GZ)));
  return root;
}

export { dayMtime, rawFile };

/** configs/pg.yaml: configs/dev.yaml with the state in PostgreSQL (URL in `env`). */
export function addPgConfig(root: string, env = 'XP_STATE_URL'): string {
  const dev = readFileSync(path.join(root, 'configs/dev.yaml'), 'utf8');
  writeFileSync(path.join(root, PG_CONFIG), `${dev.trimEnd()}\nstate: { url_env: ${env} }\n`);
  return PG_CONFIG;
}

/** Rows of a query against a PostgreSQL database, as the tests check what the state holds there. */
export async function pgRows<T>(url: string, query: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(query, params)).rows as T[];
  } finally {
    await client.end();
  }
}

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** `node bin/xp.js <args>` in `root`, with extra environment variables. */
export function xp(root: string, args: readonly string[], env: Record<string, string> = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(REPO, 'bin/xp.js'), ...args], { cwd: root, env: { ...process.env, NO_COLOR: '1', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
