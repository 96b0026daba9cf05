/**
 * Unit-test fixture rows → DuckDB tables. Column types come from `types:` when given,
 * else from the values: integers → bigint, other numbers → double, booleans → boolean,
 * 'YYYY-MM-DD' → date, 'YYYY-MM-DD hh:mm[:ss]' → timestamp, lists → <type>[], other
 * strings → varchar; a column that is null in every row is varchar.
 */
import type { Db } from '../../engine/connection.ts';
import { quoteIdent, sqlLiteral } from '../../engine/sql.ts';
import type { FixtureRow } from './spec.ts';

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}(:?\d{2})?)?$/;

export function inferType(values: readonly unknown[]): string {
  const present = values.filter((v) => v !== null && v !== undefined);
  if (!present.length) return 'VARCHAR';
  if (present.every((v) => typeof v === 'boolean')) return 'BOOLEAN';
  if (present.every((v) => typeof v === 'number')) return present.every((v) => Number.isInteger(v)) ? 'BIGINT' : 'DOUBLE';
  if (present.every((v) => typeof v === 'string')) {
    const s = present as string[];
    if (s.every((v) => DATE.test(v))) return 'DATE';
    if (s.every((v) => DATE.test(v) || TIMESTAMP.test(v))) return 'TIMESTAMP';
    return 'VARCHAR';
  }
  if (present.every((v) => Array.isArray(v))) return `${inferType((present as unknown[][]).flat())}[]`;
  return 'VARCHAR';
}

/** A YAML value as a SQL literal: lists and maps become DuckDB list and struct literals. */
export function valueLiteral(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(valueLiteral).join(', ')}]`;
  if (v !== null && typeof v === 'object') {
    return `{${Object.entries(v).map(([k, x]) => `${sqlLiteral(k)}: ${valueLiteral(x)}`).join(', ')}}`;
  }
  return sqlLiteral(v);
}

export function columnsOf(rows: readonly FixtureRow[], extra: readonly string[] = []): string[] {
  return [...new Set([...rows.flatMap((r) => Object.keys(r)), ...extra])];
}

/** The SELECT of typed rows (no FROM table needed); `types` by column name. */
export function rowsSelect(rows: readonly FixtureRow[], columns: readonly string[], types: Readonly<Record<string, string>>): string {
  if (!columns.length) return `select 1 as __row from range(${rows.length})`;
  if (!rows.length) {
    return `select ${columns.map((c) => `cast(null as ${types[c]}) as ${quoteIdent(c)}`).join(', ')} limit 0`;
  }
  const tuples = rows.map((r) => `(${columns.map((c) => `cast(${valueLiteral(r[c] ?? null)} as ${types[c]})`).join(', ')})`);
  return `select * from (values ${tuples.join(',\n  ')}) as t(${columns.map(quoteIdent).join(', ')})`;
}

/** Create `relation` from fixture rows (or SQL); returns its columns. */
export async function createFixture(
  db: Db,
  relation: string,
  fixture: { readonly rows?: readonly FixtureRow[]; readonly sql?: string; readonly types: Readonly<Record<string, string>> },
): Promise<void> {
  if (fixture.sql !== undefined) {
    await db.run(`create table ${relation} as ${fixture.sql}`);
    return;
  }
  const rows = fixture.rows ?? [];
  const columns = columnsOf(rows, Object.keys(fixture.types));
  const types = Object.fromEntries(columns.map((c) => [c, fixture.types[c] ?? inferType(rows.map((r) => r[c]))]));
  await db.run(`create table ${relation} as ${rowsSelect(rows, columns, types)}`);
}
