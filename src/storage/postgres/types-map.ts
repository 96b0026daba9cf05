/** PostgreSQL (and Redshift) column types → the DuckDB types the extracted Parquet gets. */

/** By OID (pg_type); anything else is read as VARCHAR, its PostgreSQL text. */
const BY_OID: Readonly<Record<number, string>> = {
  16: 'BOOLEAN',
  20: 'BIGINT',
  21: 'SMALLINT',
  23: 'INTEGER',
  700: 'FLOAT',
  701: 'DOUBLE',
  // numeric has no fixed precision in a result's description: DOUBLE, as the staging casts read it
  1700: 'DOUBLE',
  1082: 'DATE',
  1114: 'TIMESTAMP',
  1184: 'TIMESTAMP WITH TIME ZONE',
  2950: 'UUID',
};

export const duckdbTypeOf = (oid: number): string => BY_OID[oid] ?? 'VARCHAR';
