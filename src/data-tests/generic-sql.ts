/**
 * Each generic test as a query returning the rows that break it (no rows = pass), over
 * `rows`: the relation holding exactly the rows under test (one partition, or the new
 * rows of a build before they replace the old ones).
 */
import { quoteIdent, sqlLiteral } from '../engine/sql.ts';
import type { GenericArgs } from './types.ts';

const q = quoteIdent;

export function genericSql(args: GenericArgs, rows: string, relationOf: (model: string) => string): string {
  switch (args.kind) {
    case 'not_null':
      return `select * from ${rows} as t where ${q(args.column)} is null`;
    case 'unique': {
      const cols = args.columns.map(q).join(', ');
      // a single column ignores nulls (not_null tests those); a combination counts them
      const filter = args.columns.length === 1 ? `where ${cols} is not null ` : '';
      return `select ${cols}, count(*) as n_records from ${rows} as t ${filter}group by ${cols} having count(*) > 1`;
    }
    case 'accepted_values': {
      // values are compared as text literals: DuckDB casts them to the column's type
      const list = args.values.map((v) => sqlLiteral(String(v))).join(', ');
      return `select ${q(args.column)} as value, count(*) as n_records from ${rows} as t
where ${q(args.column)} is not null and ${q(args.column)} not in (${list}) group by 1`;
    }
    case 'relationships':
      return `select child.${q(args.column)} as ${q(args.column)}, count(*) as n_records
from ${rows} as child
left join (select distinct ${q(args.field)} as v from ${relationOf(args.to)}) as parent on child.${q(args.column)} = parent.v
where child.${q(args.column)} is not null and parent.v is null group by 1`;
    case 'accepted_range': {
      const col = q(args.column);
      const conds: string[] = [];
      if (args.min !== undefined) conds.push(`${col} ${args.inclusive ? '>=' : '>'} ${sqlLiteral(args.min)}`);
      if (args.max !== undefined) conds.push(`${col} ${args.inclusive ? '<=' : '<'} ${sqlLiteral(args.max)}`);
      return `select * from ${rows} as t where not (${conds.join(' and ')})`;
    }
    case 'row_count': {
      const conds: string[] = [];
      if (args.min !== undefined) conds.push(`n_records < ${args.min}`);
      if (args.max !== undefined) conds.push(`n_records > ${args.max}`);
      return `select n_records from (select count(*) as n_records from ${rows} as t) as c where ${conds.join(' or ')}`;
    }
    case 'expression_is_true':
      return `select * from ${rows} as t where not (${args.expression})`;
  }
}

/** What the failing rows mean, for the one-line message. */
export function describeFailures(args: GenericArgs, n: number): string {
  const rows = `${n} row${n === 1 ? '' : 's'}`;
  switch (args.kind) {
    case 'not_null':
      return `${rows} where ${args.column} is null`;
    case 'unique':
      return `${n} duplicated value${n === 1 ? '' : 's'} of ${args.columns.join(' + ')}`;
    case 'accepted_values':
      return `${n} unexpected value${n === 1 ? '' : 's'} of ${args.column} (accepted: ${args.values.join(', ')})`;
    case 'relationships':
      return `${n} value${n === 1 ? '' : 's'} of ${args.column} not found in ${args.to}.${args.field}`;
    case 'accepted_range':
      return `${rows} where ${args.column} is outside ${args.min === undefined ? '(-∞' : `${args.inclusive ? '[' : '('}${args.min}`}, ${args.max === undefined ? '∞)' : `${args.max}${args.inclusive ? ']' : ')'}`}`;
    case 'row_count':
      return `row count outside [${args.min ?? 0}, ${args.max ?? '∞)'}${args.max === undefined ? '' : ']'}`;
    case 'expression_is_true':
      return `${rows} where not (${args.expression})`;
  }
}
