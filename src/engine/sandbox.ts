/**
 * The sandbox `xp query` runs in, on the warehouse and on the lake. Two layers:
 *
 * 1. DuckDB settings, locked once set (OpenOptions.lockedSettings): no file outside the
 *    ones the query may read (`enable_external_access = false` with `allowed_paths`), no
 *    extension installed or loaded behind the query's back.
 * 2. Before anything runs, DuckDB's own parser decides that the SQL is exactly one SELECT
 *    (`json_serialize_sql` serialises SELECTs only; DESCRIBE, SHOW, SUMMARIZE, VALUES,
 *    FROM-first, TABLE, UNPIVOT and PIVOT with an IN list parse as SELECTs) that calls
 *    none of the few table functions that change the session. Everything else, EXPLAIN
 *    and PRAGMA included, is refused as QUERY_REFUSED.
 *
 * The small lexer below only words a refusal (which statement, how many); the decision
 * itself is always DuckDB's.
 */
import path from 'node:path';
import { XpError } from '../core/errors.ts';
import type { Db, LockedSetting } from './connection.ts';

/** The settings, in the order they must be set (allowed_paths before external access goes off). */
export function sandboxSettings(readableFiles: readonly string[] = []): readonly LockedSetting[] {
  return [
    ['autoinstall_known_extensions', false],
    ['autoload_known_extensions', false],
    ['allowed_paths', readableFiles.map((f) => path.resolve(f))],
    ['enable_external_access', false],
  ];
}

export const READ_STATEMENTS_HINT =
  'xp query runs one read statement: SELECT, WITH … SELECT, VALUES, FROM …, TABLE, DESCRIBE, SHOW, SUMMARIZE, PIVOT … IN (…) or UNPIVOT';
const FILES_HINT = 'select the rows and use `--format csv > file` instead';
const BUILD_HINT = 'change data through models and `xp build`';
const EXTENSIONS_HINT = 'xp query uses only the extensions built into its DuckDB (such as parquet and json) and installs or loads no other';

interface Refusal {
  readonly what: string;
  readonly hint: string;
}

const each = (words: readonly string[], refusal: (word: string) => Refusal): [string, Refusal][] => words.map((w) => [w, refusal(w)]);

/** What a statement starting with this keyword does, and what to do instead. */
const BY_KEYWORD: ReadonlyMap<string, Refusal> = new Map([
  ...each(['CREATE', 'INSERT', 'UPDATE', 'DELETE', 'DROP', 'ALTER', 'TRUNCATE', 'MERGE', 'COMMENT', 'VACUUM', 'CHECKPOINT', 'ANALYZE'],
    (w) => ({ what: `${w} changes the database`, hint: BUILD_HINT })),
  ...each(['BEGIN', 'START', 'COMMIT', 'END', 'ROLLBACK', 'ABORT'],
    (w) => ({ what: `${w} controls transactions`, hint: 'send the select alone; xp query runs it in a transaction of its own' })),
  ...each(['PREPARE', 'EXECUTE', 'DEALLOCATE'], (w) => ({ what: `${w} manages prepared statements`, hint: 'send the select itself' })),
  ...each(['SET', 'RESET'], (w) => ({ what: `${w} changes settings`, hint: 'the settings of xp query are fixed (no file access, no extensions)' })),
  ['EXPORT DATABASE', { what: 'EXPORT DATABASE writes files', hint: 'select each table and use `--format csv > file` instead' }],
  ['IMPORT DATABASE', { what: 'IMPORT DATABASE reads files into tables', hint: BUILD_HINT }],
  ['INSTALL', { what: 'INSTALL downloads extensions', hint: EXTENSIONS_HINT }],
  ['UPDATE EXTENSIONS', { what: 'UPDATE EXTENSIONS downloads extensions', hint: EXTENSIONS_HINT }],
  ['LOAD', { what: 'LOAD loads extensions', hint: EXTENSIONS_HINT }],
  ['ATTACH', { what: 'ATTACH opens another database', hint: 'query the tables in schema exp, or the published lake with `xp query --lake`' }],
  ['DETACH', { what: 'DETACH closes a database', hint: 'query the tables in schema exp, or the published lake with `xp query --lake`' }],
  ['USE', { what: 'USE changes the default schema', hint: 'name the schema in the query: exp.<table>' }],
  ['PRAGMA', { what: 'PRAGMA can change settings and the database', hint: "describe a table with `describe exp.<table>` or `select * from pragma_table_info('exp.<table>')`" }],
  ['CALL', { what: 'CALL runs a function as a statement', hint: 'select from the table function instead: select * from <function>(…)' }],
  ['EXPLAIN', { what: 'EXPLAIN is refused (EXPLAIN ANALYZE runs the statement it explains)', hint: 'run the select itself' }],
]);

/** Words a read statement starts with (DuckDB decides whether it is one). */
const READ_WORDS: ReadonlySet<string> = new Set(['SELECT', 'WITH', 'FROM', 'VALUES', 'TABLE', 'DESCRIBE', 'SHOW', 'SUMMARIZE', 'PIVOT', 'UNPIVOT']);

/** Table functions that a SELECT may call but that change the session or run SQL unchecked. */
const REFUSED_FUNCTIONS: ReadonlyMap<string, string> = new Map([
  ['checkpoint', 'writes the database'],
  ['force_checkpoint', 'writes the database'],
  ['enable_logging', 'changes logging and can write log files'],
  ['disable_logging', 'changes logging'],
  ['truncate_duckdb_logs', 'deletes logs'],
  ['enable_profiling', 'changes profiling settings'],
  ['disable_profiling', 'changes profiling settings'],
  ['enable_peg_parser', 'changes the parser'],
  ['disable_peg_parser', 'changes the parser'],
  ['query', 'runs SQL text that cannot be checked before it runs'],
  ['json_execute_serialized_sql', 'runs SQL that cannot be checked before it runs'],
  ['arrow_scan', 'reads raw memory'],
  ['arrow_scan_dumb', 'reads raw memory'],
]);

const refused = (what: string, hint: string): XpError => new XpError('QUERY_REFUSED', `xp query is read-only: ${what}`, { hint });

/** One statement as the lexer saw it: its words, upper-cased, and those outside parentheses. */
export interface LexedStatement {
  readonly words: readonly string[];
  readonly topWords: readonly string[];
}

// whitespace · -- comment · /* comment */ · E'…' · '…' · "…" · $tag$…$tag$ · word · any other character
const TOKEN = /(\s+|--[^\n]*|\/\*[\s\S]*?(?:\*\/|$))|([eE]'(?:[^'\\]|\\[\s\S]|'')*(?:'|$)|'(?:[^']|'')*(?:'|$)|"(?:[^"]|"")*(?:"|$)|\$([A-Za-z_]\w*)?\$[\s\S]*?(?:\$\3\$|$))|([A-Za-z_][\w$]*)|([\s\S])/y;

/** The statements of `sql` split at `;` outside quotes and comments, empty ones dropped. */
export function splitStatements(sql: string): LexedStatement[] {
  const out: LexedStatement[] = [];
  let words: string[] = [];
  let topWords: string[] = [];
  let code = false;
  let depth = 0;
  const end = (): void => {
    if (code) out.push({ words, topWords });
    words = [];
    topWords = [];
    code = false;
    depth = 0;
  };
  TOKEN.lastIndex = 0;
  for (let m = TOKEN.exec(sql); m; m = TOKEN.exec(sql)) {
    if (m[1] !== undefined) continue;
    const char = m[5];
    if (char === ';') {
      end();
      continue;
    }
    code = true;
    if (m[4] !== undefined) {
      words.push(m[4].toUpperCase());
      if (depth === 0) topWords.push(m[4].toUpperCase());
    } else if (char === '(') depth++;
    else if (char === ')') depth = Math.max(0, depth - 1);
  }
  end();
  return out;
}

function keywordRefusal(statement: LexedStatement | undefined): XpError {
  const [first = '', second = ''] = statement?.words ?? [];
  if (first === 'COPY') {
    return statement!.topWords.includes('TO') ? refused('COPY writes files', FILES_HINT) : refused('COPY reads files into tables', BUILD_HINT);
  }
  // DuckDB runs a PIVOT without an IN list as two statements: it creates an enum type first
  if (READ_WORDS.has(first) && statement!.words.includes('PIVOT')) {
    return refused('PIVOT without an IN list creates a type before it runs', "list the values: pivot … on <column> in ('a', 'b') using …");
  }
  const known = first === 'FORCE' && second === 'INSTALL' ? BY_KEYWORD.get('INSTALL') : BY_KEYWORD.get(`${first} ${second}`) ?? BY_KEYWORD.get(first);
  return known ? refused(known.what, known.hint) : refused(`${first || 'this statement'} is not a read statement`, READ_STATEMENTS_HINT);
}

/** Names of every function a serialised statement calls, lower-cased. */
function functionNames(node: unknown, out: Set<string> = new Set()): Set<string> {
  if (Array.isArray(node)) for (const n of node) functionNames(n, out);
  else if (node !== null && typeof node === 'object') {
    const o = node as Record<string, unknown>;
    if (o['class'] === 'FUNCTION' && typeof o['function_name'] === 'string') out.add(o['function_name'].toLowerCase());
    for (const v of Object.values(o)) functionNames(v, out);
  }
  return out;
}

type Serialized =
  | { readonly error: false; readonly statements: readonly unknown[] }
  | { readonly error: true; readonly error_type: string; readonly error_message: string };

/**
 * Check `sql` before it runs and return the statement to run (trailing semicolons
 * dropped). QUERY_REFUSED (exit 2) unless it is one read statement; QUERY_FAILED for a
 * syntax error, so nothing DuckDB could not parse is ever run.
 */
export async function readStatement(db: Db, sql: string): Promise<string> {
  const statement = sql.replace(/(\s*;)+\s*$/, '');
  const [row] = await db.all<{ j: string }>('select json_serialize_sql($1::varchar) as j', [statement]);
  const parsed = JSON.parse(row!.j) as Serialized;
  if (parsed.error) {
    if (parsed.error_type === 'parser') throw new XpError('QUERY_FAILED', `Parser Error: ${parsed.error_message}`, { hint: READ_STATEMENTS_HINT });
    const lexed = splitStatements(statement);
    if (lexed.length > 1) throw tooMany(lexed.length);
    if (!/Only SELECT statements/.test(parsed.error_message)) {
      throw new XpError('QUERY_REFUSED', `xp query could not check the statement before running it: ${parsed.error_message}`, { hint: READ_STATEMENTS_HINT });
    }
    throw keywordRefusal(lexed[0]);
  }
  if (parsed.statements.length === 0) throw new XpError('USAGE', 'xp query needs one read statement; the SQL holds none', { hint: READ_STATEMENTS_HINT });
  if (parsed.statements.length > 1) throw tooMany(parsed.statements.length);
  for (const name of functionNames(parsed.statements[0])) {
    const reason = REFUSED_FUNCTIONS.get(name);
    if (reason) {
      throw refused(`${name}() ${reason}`, name === 'query' || name === 'json_execute_serialized_sql' ? 'write that SQL into the query itself' : 'leave it out; xp query only reads');
    }
  }
  return statement;
}

function tooMany(n: number): XpError {
  return new XpError('QUERY_REFUSED', `xp query runs one statement at a time; the SQL holds ${n}`, {
    hint: 'send each statement in its own `xp query` (`;` ends a statement)',
  });
}

/**
 * DuckDB's Permission Error for a file the sandbox keeps closed, as QUERY_REFUSED:
 * `reads` says what the query may read, `hint` where to look instead.
 */
export function sandboxRefusal(cause: unknown, reads: string, hint: string): XpError | undefined {
  const message = (cause instanceof Error ? cause.message : String(cause)).split('\n')[0]!;
  if (!message.startsWith('Permission Error:')) return undefined;
  const file = /Cannot access (?:file|directory) "([^"]*)"/.exec(message)?.[1];
  return new XpError('QUERY_REFUSED', file === undefined ? `${reads}: ${message}` : `${reads}: it may not open ${file}`, { hint, cause });
}
