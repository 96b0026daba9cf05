/** Where a PostgreSQL state lives, as the config's `state.url_env` names it (src/state/open.ts). */
export interface PostgresTarget {
  readonly url: string;
  /** user@host:port/database, for messages */
  readonly where: string;
  readonly host: string;
  readonly port: string;
  /** the environment variable the URL came from, for messages */
  readonly urlEnv: string;
}
