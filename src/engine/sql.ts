/**
 * The only ways a value may enter SQL text: as a quoted identifier or as a literal.
 * Everything else is a bound parameter.
 */
import { XpError } from '../core/errors.ts';

export function quoteIdent(name: string): string {
  if (typeof name !== 'string' || name.length === 0) {
    throw new XpError('TEMPLATE_ERROR', `ident: expected a non-empty name, got ${JSON.stringify(name)}`);
  }
  return `"${name.replaceAll('"', '""')}"`;
}

export function sqlLiteral(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new XpError('TEMPLATE_ERROR', `literal: ${value} is not a finite number`);
    return String(value);
  }
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'string') return `'${value.replaceAll("'", "''")}'`;
  if (Array.isArray(value)) return `[${value.map(sqlLiteral).join(', ')}]`;
  throw new XpError('TEMPLATE_ERROR', `literal: cannot render a ${typeof value} as SQL; pass a string, number, boolean or list`);
}

/** "schema"."table" for a model relation */
export function relation(schema: string, name: string): string {
  return `${quoteIdent(schema)}.${quoteIdent(name)}`;
}
