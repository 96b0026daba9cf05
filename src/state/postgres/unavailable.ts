/**
 * Which PostgreSQL failures mean "the state store cannot be reached" (STATE_UNAVAILABLE,
 * exit 1) rather than a bug: the network, the server going away, authentication, a
 * missing database, no free connection. Everything else propagates as it is.
 */
import { XpError } from '../../core/errors.ts';
import type { PostgresTarget } from './target.ts';

const NETWORK = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', 'ECONNABORTED']);
/** SQLSTATE: 08 connection exception, 28 invalid authorization, 3D000 no such database, 53300 too many connections, 57P01–57P03 shutting down or starting */
const SQLSTATE = /^(08|28)|^(3D000|53300|57P01|57P02|57P03)$/;
const TERMINATED = /^(Connection terminated|timeout expired|Client has encountered a connection error|Connection ended unexpectedly)/i;

interface PgLikeError { code?: unknown; message?: unknown; errors?: unknown }

function reasonOf(err: PgLikeError): string {
  const message = typeof err.message === 'string' ? err.message : '';
  // Node reports a failed dual-stack connect as an AggregateError with an empty message
  if (!message && Array.isArray(err.errors) && err.errors.length) return reasonOf(err.errors[0] as PgLikeError);
  return message || (typeof err.code === 'string' ? err.code : 'unknown error');
}

export function isUnavailable(err: unknown): boolean {
  if (err === null || typeof err !== 'object') return false;
  const e = err as PgLikeError;
  if (typeof e.code === 'string' && (NETWORK.has(e.code) || SQLSTATE.test(e.code))) return true;
  if (Array.isArray(e.errors) && e.errors.some(isUnavailable)) return true;
  return typeof e.message === 'string' && TERMINATED.test(e.message);
}

/** The error every command prints when the state database cannot be reached. */
export function stateUnavailable(target: PostgresTarget, cause: unknown): XpError {
  const { where, urlEnv } = target;
  const reason = reasonOf((cause ?? {}) as PgLikeError).split('\n')[0]!;
  return new XpError('STATE_UNAVAILABLE', `cannot reach the state database ${where} (${urlEnv}): ${reason}`, {
    location: { object: where },
    hint: `check that PostgreSQL runs and accepts TCP connections there (pg_isready -h ${target.host} -p ${target.port}), that ${urlEnv} holds postgres://<user>:<password>@<host>:<port>/<database> with the right credentials and an existing database, and the network or firewall in between; the failed command changed nothing in the state (a build resumes after its last recorded stage)`,
    cause,
  });
}

/** Rethrow `err` as STATE_UNAVAILABLE when it is one, unchanged otherwise. */
export function mapUnavailable(target: PostgresTarget): (err: unknown) => never {
  return (err) => {
    if (err instanceof XpError || !isUnavailable(err)) throw err;
    throw stateUnavailable(target, err);
  };
}
