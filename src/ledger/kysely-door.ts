/**
 * A `Db` over a borrowed Kysely (an analysis plugin's `ctx.db`), so the ledger functions
 * plugins call accept either. Only the calls the ledger makes are supported.
 */
import { CompiledQuery, type Kysely } from 'kysely';
import { XpError } from '../core/errors.ts';
import type { Db, Row, SqlParams } from '../engine/connection.ts';

function params(p: SqlParams | undefined): unknown[] {
  if (p === undefined) return [];
  if (Array.isArray(p)) return [...p];
  throw new XpError('INTERNAL', 'the ledger passes positional parameters only');
}

export function kyselyAsDb(k: Kysely<any>, inTransaction = false): Db {
  return {
    path: '<kysely>',
    async run(sql, p) {
      const r = await k.executeQuery(CompiledQuery.raw(sql, params(p)));
      return Number(r.numAffectedRows ?? 0);
    },
    async all<T extends Row = Row>(sql: string, p?: SqlParams): Promise<T[]> {
      return (await k.executeQuery<T>(CompiledQuery.raw(sql, params(p)))).rows as T[];
    },
    columns() {
      throw new XpError('INTERNAL', 'columns() is not available through a borrowed Kysely');
    },
    async transaction<T>(fn: (db: Db) => Promise<T>): Promise<T> {
      if (inTransaction) return fn(this);
      return k.transaction().execute((trx) => fn(kyselyAsDb(trx, true)));
    },
    interrupt() {},
    close() {},
  };
}
