/**
 * Which state store a config names, and opening it: the warehouse's own (no `state:`
 * block) or PostgreSQL (`state: { url_env: XP_STATE_URL }`, the URL read from that
 * environment variable). Writers migrate the store on open; readers check they can read
 * it. A store that `xp state migrate` moved away is refused (STATE_MOVED).
 */
import { XpError } from '../core/errors.ts';
import { warehousePath } from '../core/paths.ts';
import { openDb, type Db } from '../engine/connection.ts';
import type { ProjectConfig } from '../project/types.ts';
import { withState } from './bind.ts';
import { embeddedState } from './embedded/store.ts';
import { assertReadable, migrateState } from './migrations.ts';
import { assertNotMoved } from './moves.ts';
import type { PostgresTarget } from './postgres/target.ts';
import type { StateStore } from './state.ts';

export type StateConfig = Pick<ProjectConfig, 'root' | 'warehouse' | 'target_dir' | 'file' | 'state'>;

export type StateLocation =
  | { readonly backend: 'embedded'; readonly warehouse: string; readonly where: string }
  | { readonly backend: 'postgres'; readonly target: PostgresTarget; readonly where: string };

/** Where a postgres:// URL points, for messages: user@host:port/database (never its password). */
function describeUrl(url: URL): { where: string; host: string; port: string } {
  const host = url.hostname || url.searchParams.get('host') || 'localhost';
  const port = url.port || '5432';
  const user = decodeURIComponent(url.username);
  const db = decodeURIComponent(url.pathname.replace(/^\//, '')) || user || 'postgres';
  return { where: `${user ? `${user}@` : ''}${host}:${port}/${db}`, host, port };
}

export function stateLocation(config: StateConfig, env: NodeJS.ProcessEnv = process.env): StateLocation {
  const warehouse = warehousePath(config);
  if (!config.state) return { backend: 'embedded', warehouse, where: warehouse };
  const name = config.state.url_env;
  const value = env[name];
  if (!value) {
    throw new XpError('CONFIG_INVALID', `state.url_env names ${name}, but ${name} is not set`, {
      location: { file: config.file },
      hint: `export ${name}=postgres://<user>:<password>@<host>:5432/<database> (the URL, with its credentials, stays in the environment), or remove the state: block to keep the state in the warehouse`,
    });
  }
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (!url || !/^postgres(ql)?:$/.test(url.protocol)) {
    // never echo the value: it may hold a password
    throw new XpError('CONFIG_INVALID', `${name} does not hold a postgres:// URL`, {
      location: { file: config.file },
      hint: `set ${name}=postgres://<user>:<password>@<host>:5432/<database>`,
    });
  }
  const { where, host, port } = describeUrl(url);
  return { backend: 'postgres', target: { url: value, where, host, port, urlEnv: name }, where };
}

export interface OpenStateOptions {
  /** the open warehouse: the embedded store lives in it (unused for PostgreSQL) */
  readonly warehouse?: Db;
  /** write: migrate to the current schema; read: only check this code can read it */
  readonly mode: 'read' | 'write';
  /** `xp state migrate`'s target may be a store that was moved away */
  readonly allowMoved?: boolean;
}

/** The config's state store, ready to use. The caller closes it. */
export async function openState(config: StateConfig, opts: OpenStateOptions): Promise<StateStore> {
  const loc = stateLocation(config);
  let store: StateStore;
  if (loc.backend === 'embedded') {
    if (!opts.warehouse) throw new XpError('INTERNAL', 'the embedded state needs its warehouse open');
    store = embeddedState(opts.warehouse);
  } else {
    // loaded only for a PostgreSQL state: an embedded build never pays for pg's import
    const { openPostgresState } = await import('./postgres/store.ts');
    store = await openPostgresState(loc.target);
  }
  try {
    if (opts.mode === 'write') await migrateState(store);
    else await assertReadable(store);
    if (!opts.allowMoved) await assertNotMoved(store);
    return store;
  } catch (err) {
    await store.close().catch(() => undefined);
    throw err;
  }
}

/**
 * The warehouse with the config's state bound to it (src/state/bind.ts): what `xp build`
 * opens. The state is opened first, so an unreachable PostgreSQL fails before the
 * warehouse is even created.
 */
export async function openWarehouse(config: StateConfig, opts: { readonly readOnly?: boolean } = {}): Promise<Db> {
  const mode = opts.readOnly ? 'read' : 'write';
  const loc = stateLocation(config);
  if (loc.backend === 'embedded') {
    const db = await openDb(loc.warehouse, { readOnly: opts.readOnly });
    try {
      await openState(config, { warehouse: db, mode });
      return db;
    } catch (err) {
      db.close();
      throw err;
    }
  }
  const state = await openState(config, { mode });
  let db: Db;
  try {
    db = await openDb(warehousePath(config), { readOnly: opts.readOnly });
  } catch (err) {
    await state.close();
    throw err;
  }
  return withState(db, state, () => void state.close().catch(() => undefined));
}
