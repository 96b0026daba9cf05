/**
 * With the state in PostgreSQL, builds on different machines must exclude each other per
 * experiment, and a file lock only covers one machine. A session advisory lock does: it is
 * held by one connection, kept for the build, and released by PostgreSQL itself when the
 * holder's connection ends, so a SIGKILLed worker never leaves a stale lock.
 * (https://www.postgresql.org/docs/current/explicit-locking.html#ADVISORY-LOCKS)
 */
import pg from 'pg';
import { XpError } from '../../core/errors.ts';
import type { PostgresTarget } from './target.ts';
import { mapUnavailable } from './unavailable.ts';

export interface HeldAdvisoryLocks {
  release(): Promise<void>;
}

/** The lock key of an experiment: hashtext over a prefix, so other users of advisory locks in the database do not collide by accident. */
const KEY_SQL = "hashtext('exp-platform:' || $1)";

/** Take every experiment's lock or none: EXPERIMENT_LOCKED (exit 3) when another session holds one. */
export async function lockExperimentsInPostgres(target: PostgresTarget, experimentIds: readonly string[]): Promise<HeldAdvisoryLocks> {
  const fail = mapUnavailable(target);
  const client = new pg.Client({ connectionString: target.url });
  client.on('error', () => undefined);
  await client.connect().catch(fail);
  const release = async (): Promise<void> => {
    await client.end().catch(() => undefined); // ending the session releases its advisory locks
  };
  try {
    for (const id of experimentIds) {
      const { rows } = await client.query<{ ok: boolean }>(`select pg_try_advisory_lock(${KEY_SQL}) as ok`, [id]).catch(fail);
      if (!rows[0]?.ok) {
        const holder = await client.query<{ pid: number; app: string | null; addr: string | null; since: string | null }>(
          `select a.pid, a.application_name as app, a.client_addr::text as addr, a.backend_start::text as since
             from pg_locks l join pg_stat_activity a on a.pid = l.pid
            where l.locktype = 'advisory' and l.granted and l.objid = (${KEY_SQL})::oid limit 1`, [id],
        ).then((r) => r.rows[0]).catch(() => undefined);
        throw new XpError('EXPERIMENT_LOCKED', `experiment ${id} is being built by another process${holder ? ` (PostgreSQL session ${holder.pid}${holder.app ? `, ${holder.app}` : ''}${holder.addr ? ` from ${holder.addr}` : ''})` : ''}`, {
          location: { experiment: id },
          hint: 'wait for that build to finish; its lock ends with its connection, so a crashed build never blocks you',
        });
      }
    }
    return { release };
  } catch (err) {
    await release();
    throw err;
  }
}
