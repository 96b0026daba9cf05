/**
 * A seed's SELECT: its rows inline as a VALUES list, each cast to its declared type. The
 * values are in the SQL, so the fingerprint of the SQL is the fingerprint of the CSV.
 */
import { quoteIdent, sqlLiteral } from '../engine/sql.ts';
import type { SeedTable } from '../project/types.ts';

export function seedSql(seed: SeedTable): string {
  const select = seed.columns.map((c, i) => `cast(c${i} as ${c.type}) as ${quoteIdent(c.name)}`).join(', ');
  const names = seed.columns.map((_c, i) => `c${i}`).join(', ');
  if (seed.rows.length === 0) {
    return `select ${select} from (select ${seed.columns.map((_c, i) => `null::varchar as c${i}`).join(', ')}) where false`;
  }
  const values = seed.rows.map((r) => `(${r.map((v) => (v === null ? 'null::varchar' : sqlLiteral(v))).join(', ')})`).join(',\n  ');
  return `select ${select}\nfrom (values\n  ${values}\n) as t(${names})`;
}
