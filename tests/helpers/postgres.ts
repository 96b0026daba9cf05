/**
 * A throwaway PostgreSQL for the state tests: Debian's `initdb` and `pg_ctl` (the newest
 * /usr/lib/postgresql/<version>/bin; XP_PG_BIN overrides), a cluster in a temp folder,
 * trust authentication, listening on 127.0.0.1 only, on a free port. As root (CI) the
 * server runs as the `postgres` user (runuser), which owns the temp folder.
 *
 * One server per test file, one database per call of `createDatabase`:
 *
 *   let pg: PgServer;
 *   beforeAll(async () => { pg = await startPostgres(); });
 *   afterAll(() => pg.stop());
 *
 * The server is also stopped when the test process exits. .ci/run installs the
 * `postgresql` package when initdb is missing.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';

export interface PgServer {
  readonly port: number;
  /** postgres://postgres@127.0.0.1:<port>/<database> */
  url(database: string): string;
  /** a new empty database; returns its URL */
  createDatabase(name: string): Promise<string>;
  stop(): void;
}

/** The bin folder of the newest installed PostgreSQL (Debian's layout), or undefined. */
export function pgBinDir(): string | undefined {
  if (process.env['XP_PG_BIN']) return process.env['XP_PG_BIN'];
  const base = '/usr/lib/postgresql';
  if (!existsSync(base)) return undefined;
  const versions = readdirSync(base).filter((v) => existsSync(path.join(base, v, 'bin', 'initdb'))).sort((a, b) => Number(b) - Number(a));
  return versions.length ? path.join(base, versions[0]!, 'bin') : undefined;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

const isRoot = (): boolean => process.getuid?.() === 0;

/** Run a PostgreSQL binary, as `postgres` when we are root (the server refuses to run as root). */
function runPg(bin: string, args: readonly string[], cwd: string): void {
  const [cmd, argv] = isRoot() ? ['runuser', ['-u', 'postgres', '--', bin, ...args]] as const : [bin, args] as const;
  const r = spawnSync(cmd, [...argv], { cwd, encoding: 'utf8', timeout: 120_000 });
  if (r.status !== 0) throw new Error(`${path.basename(bin)} ${args.join(' ')} failed (${r.status ?? r.signal}): ${r.stderr || r.stdout || r.error?.message}`);
}

/** A port nobody listens on, for the "unreachable server" tests. */
export const unusedPort = freePort;

export async function startPostgres(): Promise<PgServer> {
  const bin = pgBinDir();
  if (!bin) throw new Error('PostgreSQL is not installed (no /usr/lib/postgresql/<version>/bin/initdb): apt-get install -y postgresql, as .ci/run does');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'xp-pg-'));
  if (isRoot()) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    chownSync(dir, uid, gid);
  }
  const data = path.join(dir, 'data');
  const log = path.join(dir, 'server.log');
  runPg(path.join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync'], dir);
  let port = 0;
  for (let attempt = 1; ; attempt++) {
    port = await freePort();
    const options = `-c listen_addresses=127.0.0.1 -p ${port} -k ${dir} -c fsync=off -c synchronous_commit=off -c full_page_writes=off`;
    try {
      runPg(path.join(bin, 'pg_ctl'), ['-D', data, '-l', log, '-w', '-t', '60', '-o', options, 'start'], dir);
      break;
    } catch (err) {
      // another process took the port between our probe and the server's bind: try another
      if (attempt >= 3) throw new Error(`${(err as Error).message}\n${existsSync(log) ? readFileSync(log, 'utf8') : ''}`);
    }
  }
  let stopped = false;
  const stop = (): void => {
    if (stopped) return;
    stopped = true;
    try {
      runPg(path.join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop'], dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
  process.once('exit', () => { try { stop(); } catch { /* exiting anyway */ } });
  const url = (database: string): string => `postgres://postgres@127.0.0.1:${port}/${database}`;
  return {
    port,
    url,
    async createDatabase(name) {
      const client = new pg.Client({ connectionString: url('postgres') });
      await client.connect();
      try {
        await client.query(`create database "${name.replaceAll('"', '""')}"`);
      } finally {
        await client.end();
      }
      return url(name);
    },
    stop,
  };
}
