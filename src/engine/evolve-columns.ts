/**
 * Schema evolution of a partitioned table, as dbt's `on_schema_change: sync_all_columns`
 * does for incremental models (without dropping): a model that gained a column, or changed
 * a column's type, widens its table before the new partition goes in. Used when a
 * partition is swapped in (src/engine/materialize/partitioned.ts) and when a build's scratch
 * commits it to the warehouse (src/engine/scratch).
 */
import type { Db } from './connection.ts';
import { quoteIdent } from './sql.ts';

/** A table's columns and their DuckDB types, in order; empty when it does not exist. `catalog` defaults to the current database. */
export async function columnsOf(db: Db, schema: string, table: string, catalog?: string): Promise<Map<string, string>> {
  const rows = await db.all<{ column_name: string; data_type: string }>(
    `select column_name, data_type from information_schema.columns
     where table_catalog = ${catalog === undefined ? 'current_database()' : '$3'} and table_schema = $1 and table_name = $2 order by ordinal_position`,
    catalog === undefined ? [schema, table] : [schema, table, catalog],
  );
  return new Map(rows.map((r) => [r.column_name, r.data_type]));
}

/** Give `target` (whose columns are `have`) every column of the relation `source`, with its type; create it empty from `source` if it has none. */
export async function evolveColumns(db: Db, target: string, have: ReadonlyMap<string, string>, source: string): Promise<void> {
  if (!have.size) {
    await db.run(`create table ${target} as select * from ${source} limit 0`);
    return;
  }
  for (const col of await db.all<{ column_name: string; column_type: string }>(`describe ${source}`)) {
    const existing = have.get(col.column_name);
    if (existing === undefined) await db.run(`alter table ${target} add column ${quoteIdent(col.column_name)} ${col.column_type}`);
    else if (existing !== col.column_type) await db.run(`alter table ${target} alter column ${quoteIdent(col.column_name)} type ${col.column_type}`);
  }
}
