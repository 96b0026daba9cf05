/**
 * PostgreSQL that cannot be reached: every command that needs the state fails with
 * STATE_UNAVAILABLE (exit 1, like STORAGE_UNAVAILABLE) naming the store and what to
 * check, before anything is written. A missing or malformed XP_STATE_URL is a config
 * error (exit 2) that never echoes the variable's value.
 */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { startPostgres, unusedPort } from '../helpers/postgres.ts';
import { makeProject, tableHashes, warehouse, writeRaw } from '../ledger/helpers.ts';
import { addPgConfig, PG_CONFIG, xp } from './helpers.ts';

const hint = (port: number): string => `  hint: check that PostgreSQL runs and accepts TCP connections there (pg_isready -h 127.0.0.1 -p ${port}), that XP_STATE_URL holds postgres://<user>:<password>@<host>:<port>/<database> with the right credentials and an existing database, and the network or firewall in between; the failed command changed nothing in the state (a build resumes after its last recorded stage)\n`;

describe('an unreachable state database', () => {
  let root: string;
  let port: number;
  let env: Record<string, string>;
  beforeAll(async () => {
    root = makeProject('xp-state-down-');
    addPgConfig(root);
    await writeRaw(root, 'exp_a', 0, 0, 40);
    port = await unusedPort();
    env = { XP_STATE_URL: `postgres://xp:secret-password@127.0.0.1:${port}/xp_state` };
  });

  const message = (): string => `error[STATE_UNAVAILABLE] object xp@127.0.0.1:${port}/xp_state: cannot reach the state database xp@127.0.0.1:${port}/xp_state (XP_STATE_URL): connect ECONNREFUSED 127.0.0.1:${port}\n${hint(port)}`;

  it.each([
    [['build', '--select', 'exp_a']],
    [['status']],
    [['ledger', 'verify']],
    [['experiment', 'start', 'exp_a']],
    [['state', 'show']],
  ])('xp %j fails with STATE_UNAVAILABLE, exit 1', async (args) => {
    const r = await xp(root, [...args, '--config', PG_CONFIG], env);
    expect(r.stderr).toBe(message());
    expect(r.code).toBe(1);
    expect(r.stderr).not.toContain('secret-password');
  });

  it('leaves nothing half-written: no warehouse, no lock, no run record', () => {
    expect(existsSync(warehouse(root))).toBe(false);
    const locks = path.join(root, 'target/locks');
    expect(existsSync(locks) ? readdirSync(locks) : []).toEqual([]);
    expect(existsSync(path.join(root, 'target/run_results.json'))).toBe(false);
  });
});

describe('XP_STATE_URL itself', () => {
  it('unset: CONFIG_INVALID, exit 2, says what to export', async () => {
    const root = makeProject('xp-state-unset-');
    addPgConfig(root);
    const r = await xp(root, ['status', '--config', PG_CONFIG], { XP_STATE_URL: '' });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`error[CONFIG_INVALID] ${path.join(root, PG_CONFIG)}: state.url_env names XP_STATE_URL, but XP_STATE_URL is not set\n`
      + '  hint: export XP_STATE_URL=postgres://<user>:<password>@<host>:5432/<database> (the URL, with its credentials, stays in the environment), or remove the state: block to keep the state in the warehouse\n');
  });

  it('not a postgres:// URL: CONFIG_INVALID, without echoing the value', async () => {
    const root = makeProject('xp-state-bad-url-');
    addPgConfig(root);
    const r = await xp(root, ['status', '--config', PG_CONFIG], { XP_STATE_URL: 'mysql://u:hunter2@db/x' });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('error[CONFIG_INVALID]');
    expect(r.stderr).toContain('XP_STATE_URL does not hold a postgres:// URL');
    expect(r.stderr).not.toContain('hunter2');
  });

  it('a URL in the config instead of a variable name is refused', async () => {
    const root = makeProject('xp-state-url-in-config-');
    addPgConfig(root, 'postgres://u:p@db/x');
    const r = await xp(root, ['status', '--config', PG_CONFIG]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('expected the name of an environment variable holding a postgres:// URL, e.g. XP_STATE_URL');
  });
});

describe('a state database that goes away between builds', () => {
  it('stops the next build before it touches the warehouse', async () => {
    const server = await startPostgres();
    const root = makeProject('xp-state-gone-');
    addPgConfig(root);
    await writeRaw(root, 'exp_a', 0, 0, 40);
    const env = { XP_STATE_URL: await server.createDatabase('gone') };
    try {
      expect((await xp(root, ['build', '--select', 'exp_a', '--config', PG_CONFIG], env)).code).toBe(0);
    } finally {
      server.stop();
    }
    const before = await tableHashes(root);
    await writeRaw(root, 'exp_a', 1, 40, 80);
    const r = await xp(root, ['build', '--select', 'exp_a', '--config', PG_CONFIG], env);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error\[STATE_UNAVAILABLE\] object postgres@127\.0\.0\.1:\d+\/gone: cannot reach the state database postgres@127\.0\.0\.1:\d+\/gone \(XP_STATE_URL\): connect ECONNREFUSED/);
    expect(await tableHashes(root)).toEqual(before);
    expect(readdirSync(path.join(root, 'target/locks'))).toEqual([]);
  });
});
