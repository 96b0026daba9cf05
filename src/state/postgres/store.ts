/**
 * The PostgreSQL state: schema `xp` of the database named by the URL in the environment
 * variable `state.url_env` (credentials never live in a file). The one door to `pg`:
 * Kysely's PostgresDialect over a pg Pool whose clients turn connection failures into
 * STATE_UNAVAILABLE. bigint columns read as numbers, as they do from DuckDB.
 */
import { Kysely, PostgresDialect, type PostgresPool, type PostgresPoolClient } from 'kysely';
import pg from 'pg';
import { hasStateTable } from '../has-table.ts';
import type { StateStore } from '../state.ts';
import type { StateDatabase } from '../tables.ts';
import { mapUnavailable } from './unavailable.ts';
import type { PostgresTarget } from './target.ts';

const INT8 = 20;
const CONNECT_TIMEOUT_MS = 10_000;

const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
    if (oid === INT8 && format !== 'binary') {
      return (v: string) => {
        const n = Number(v);
        return Number.isSafeInteger(n) ? n : v;
      };
    }
    return pg.types.getTypeParser(oid, format as 'text');
  }) as typeof pg.types.getTypeParser,
};


/** A pg Pool as Kysely sees it, with every connect and query failure mapped. */
function mappedPool(target: PostgresTarget): PostgresPool {
  const pool = new pg.Pool({ connectionString: target.url, max: 4, connectionTimeoutMillis: CONNECT_TIMEOUT_MS, allowExitOnIdle: true, types });
  const fail = mapUnavailable(target);
  pool.on('error', () => undefined); // an idle client's broken connection surfaces on its next use
  const wrapped = new WeakMap<pg.PoolClient, PostgresPoolClient>();
  return {
    async connect() {
      const client = await pool.connect().catch(fail);
      let w = wrapped.get(client);
      if (!w) {
        w = {
          query: ((sql: string, params: readonly unknown[]) => client.query(sql, params as unknown[]).catch(fail)) as unknown as PostgresPoolClient['query'],
          release: () => client.release(),
        };
        wrapped.set(client, w);
      }
      return w;
    },
    end: () => pool.end(),
  };
}

function store(db: Kysely<StateDatabase>, where: string, inTransaction: boolean, close: () => Promise<void>): StateStore {
  const self: StateStore = {
    backend: 'postgres',
    where,
    db,
    transaction: (fn) => (inTransaction ? fn(self) : db.transaction().execute((trx) => fn(store(trx, where, true, async () => undefined)))),
    hasTable: (table) => hasStateTable(db, table),
    close,
  };
  return self;
}

/** Connects once, so an unreachable server fails here (STATE_UNAVAILABLE) before anything is written. */
export async function openPostgresState(target: PostgresTarget): Promise<StateStore> {
  const db = new Kysely<StateDatabase>({ dialect: new PostgresDialect({ pool: mappedPool(target) }) });
  try {
    await db.selectNoFrom((eb) => eb.lit(1).as('one')).execute();
  } catch (err) {
    await db.destroy().catch(() => undefined);
    throw err;
  }
  return store(db, target.where, false, () => db.destroy());
}
