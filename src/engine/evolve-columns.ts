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

/**
 * Give `target` (whose columns are `have`) every column of the relation `source`, with its
 * type; create it empty from `source` if it has none. `want`: the source's columns when the
 * caller already has them (a commit reads every table's at once), else `describe`d.
 */
export async function evolveColumns(db: Db, target: string, have: ReadonlyMap<string, string>, source: string, want?: ReadonlyMap<string, string>): Promise<void> {
  if (!have.size) {
    await db.run(`create table ${target} as select * from ${source} limit 0`);
    return;
  }
  const cols = want ?? new Map((await db.all<{ column_name: string; column_type: string }>(`describe ${source}`)).map((c) => [c.column_name, c.column_type]));
  for (const [name, type] of cols) {
    const existing = have.get(name);
    if (existing === undefined) await db.run(`alter table ${target} add column ${quoteIdent(name)} ${type}`);
    else if (existing !== type) await db.run(`alter table ${target} alter column ${quoteIdent(name)} type ${type}`);
  }
}
