/**
 * `ctx.query`'s door: a plugin reads the warehouse and writes only by returning rows.
 * DuckDB parses and binds the SQL first (Db.statementTypes, nothing runs); only a string
 * that is exactly one SELECT goes on to run. WITH, VALUES, FROM-first, DESCRIBE and
 * SUMMARIZE are SELECTs to DuckDB; EXPLAIN is refused (EXPLAIN ANALYZE runs its statement).
 */
import { XpError } from '../core/errors.ts';
import type { Db, StatementInfo } from '../engine/connection.ts';

const READ = 'SELECT';

export interface DoorKeeper {
  readonly plugin: string;
  readonly file: string;
  readonly experiment: string;
  /** remember a refusal, so the run fails even if the plugin catches it */
  refuse(err: XpError): XpError;
}

function refusal(statements: readonly StatementInfo[]): { message: string; hint: string } | undefined {
  const hint = 'ctx.query runs one SELECT per call; a plugin writes only by returning rows for the tables in its writes';
  if (statements.length === 0) return { message: 'ctx.query got no SQL statement', hint };
  if (statements.length > 1) {
    return { message: `ctx.query runs one read-only statement, got ${statements.length} (${statements.map((s) => s.type).join(', ')})`, hint };
  }
  const [only] = statements;
  if (only!.type === READ || only!.type === 'INVALID') return undefined;
  return { message: `ctx.query is read-only and refused a ${only!.type} statement`, hint };
}

/** Resolves if `sql` is one SELECT; otherwise throws PLUGIN_INVALID naming the plugin and the kind of statement. */
export async function checkReadOnly(db: Db, keeper: DoorKeeper, sql: string): Promise<void> {
  const statements = await db.statementTypes(sql);
  const refused = refusal(statements);
  if (refused) {
    throw keeper.refuse(new XpError('PLUGIN_INVALID', `plugin ${keeper.plugin}: ${refused.message}`, {
      location: { file: keeper.file, experiment: keeper.experiment },
      hint: refused.hint,
    }));
  }
  // one statement DuckDB cannot bind (an unknown table, a typo): its own error, and nothing ran
  if (statements[0]!.type === 'INVALID') throw new Error(statements[0]!.error ?? 'DuckDB could not prepare the statement');
}
