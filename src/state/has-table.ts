/** Does `xp.<table>` exist? The same information_schema question on DuckDB and PostgreSQL. */
import { sql, type Kysely } from 'kysely';
import { STATE_SCHEMA, type StateDatabase, type StateTable } from './tables.ts';

export async function hasStateTable(db: Kysely<StateDatabase>, table: StateTable): Promise<boolean> {
  const { rows } = await sql<{ one: number }>`select 1 as one from information_schema.tables
    where table_catalog = current_database() and table_schema = ${STATE_SCHEMA} and table_name = ${table}`.execute(db);
  return rows.length > 0;
}
