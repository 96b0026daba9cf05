/**
 * The sandbox of `xp query` on an in-memory DuckDB: locked settings that close every file
 * but the allowed ones, the read-statement check (DuckDB decides, the lexer only words
 * the refusal), and DuckDB's Permission Error turned into QUERY_REFUSED.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { XpError } from '../../src/core/errors.ts';
import { openDb, type Db } from '../../src/engine/connection.ts';
import { readStatement, sandboxRefusal, sandboxSettings, splitStatements } from '../../src/engine/sandbox.ts';
import { tempDir } from '../helpers/project.ts';

let dir: string;
let allowed: string;
let other: string;
let db: Db;
beforeAll(async () => {
  dir = tempDir('sandbox');
  allowed = path.join(dir, 'allowed.csv');
  other = path.join(dir, 'other.csv');
  writeFileSync(allowed, 'a\n1\n');
  writeFileSync(other, 'b\n2\n');
  db = await openDb(':memory:', { lockedSettings: sandboxSettings([allowed]) });
});
afterAll(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

async function refusal(sql: string): Promise<{ code: string; message: string; hint: string | undefined; exitCode: number }> {
  try {
    await readStatement(db, sql);
  } catch (err) {
    if (!(err instanceof XpError)) throw err;
    return { code: err.code, message: err.message, hint: err.hint, exitCode: err.exitCode };
  }
  throw new Error(`not refused: ${sql}`);
}

describe('the locked settings', () => {
  it('are set, and no statement can change them again', async () => {
    expect(await db.all(`select current_setting('enable_external_access') as ext, current_setting('autoinstall_known_extensions') as inst,
      current_setting('autoload_known_extensions') as load, current_setting('allowed_paths') as paths, current_setting('lock_configuration') as locked`))
      .toEqual([{ ext: false, inst: false, load: false, paths: [allowed], locked: true }]);
    await expect(db.run('set enable_external_access = true')).rejects.toThrow(/the configuration has been locked/);
    await expect(db.run("set allowed_paths = ['/']")).rejects.toThrow(/the configuration has been locked/);
  });

  it('open the allowed file and nothing else, even next to it', async () => {
    expect(await db.all(`select * from read_csv('${allowed}')`)).toEqual([{ a: 1 }]);
    await expect(db.all(`select * from read_csv('${other}')`)).rejects.toThrow(`Permission Error: Cannot access file "${other}" - file system operations are disabled by configuration`);
    await expect(db.all(`select * from glob('${dir}/*')`)).rejects.toThrow(/Permission Error/);
  });

  it('are defence in depth: a COPY that got past the check could not write outside', async () => {
    await expect(db.run(`copy (select 1) to '${dir}/x.csv'`)).rejects.toThrow(/Permission Error/);
    await expect(db.run('install httpfs')).rejects.toThrow(/Permission Error/);
    expect(readFileSync(allowed, 'utf8')).toBe('a\n1\n');
  });

  it('take setting names only', async () => {
    await expect(openDb(':memory:', { lockedSettings: [['threads = 1; copy', 1]] })).rejects.toMatchObject({ code: 'INTERNAL' });
  });
});

describe('readStatement', () => {
  it.each([
    'select 1',
    'with a as (select 1 as x) select * from a',
    'values (1), (2)',
    'from range(3)',
    'describe select 1 as x',
    'show tables',
    'summarize select 1 as x',
    '(select 1) union all (select 2)',
    "pivot (select 1 as v, 'k' as k) on k in ('k') using sum(v)",
    'unpivot (select 1 as a, 2 as b) on a, b',
    "select 'a;b' as x -- a comment; with a semicolon",
  ])('lets one read statement through: %s', async (sql) => {
    expect(await readStatement(db, sql)).toBe(sql);
  });

  it('drops trailing semicolons so the statement can be wrapped', async () => {
    expect(await readStatement(db, 'select 1 ;; \n')).toBe('select 1');
  });

  it.each([
    ["copy (select 1) to 'x.csv'", 'xp query is read-only: COPY writes files'],
    ["COPY t FROM 'x.csv'", 'xp query is read-only: COPY reads files into tables'],
    ["copy (select * from t where a in (select 1)) to 'x'", 'xp query is read-only: COPY writes files'],
    ["export database 'd'", 'xp query is read-only: EXPORT DATABASE writes files'],
    ["import database 'd'", 'xp query is read-only: IMPORT DATABASE reads files into tables'],
    ['install httpfs', 'xp query is read-only: INSTALL downloads extensions'],
    ['force install httpfs', 'xp query is read-only: INSTALL downloads extensions'],
    ['update extensions', 'xp query is read-only: UPDATE EXTENSIONS downloads extensions'],
    ['load httpfs', 'xp query is read-only: LOAD loads extensions'],
    ["attach 'x.db'", 'xp query is read-only: ATTACH opens another database'],
    ['detach x', 'xp query is read-only: DETACH closes a database'],
    ['use exp', 'xp query is read-only: USE changes the default schema'],
    ['set threads = 1', 'xp query is read-only: SET changes settings'],
    ['reset threads', 'xp query is read-only: RESET changes settings'],
    ['set variable v = 1', 'xp query is read-only: SET changes settings'],
    ['pragma version', 'xp query is read-only: PRAGMA can change settings and the database'],
    ['call pragma_version()', 'xp query is read-only: CALL runs a function as a statement'],
    ['explain select 1', 'xp query is read-only: EXPLAIN is refused (EXPLAIN ANALYZE runs the statement it explains)'],
    ['create table t (a int)', 'xp query is read-only: CREATE changes the database'],
    ['insert into t values (1)', 'xp query is read-only: INSERT changes the database'],
    ['update t set a = 1', 'xp query is read-only: UPDATE changes the database'],
    ['delete from t', 'xp query is read-only: DELETE changes the database'],
    ['drop table t', 'xp query is read-only: DROP changes the database'],
    ['alter table t add column b int', 'xp query is read-only: ALTER changes the database'],
    ['checkpoint', 'xp query is read-only: CHECKPOINT changes the database'],
    ['begin transaction', 'xp query is read-only: BEGIN controls transactions'],
    ['prepare p as select 1', 'xp query is read-only: PREPARE manages prepared statements'],
    ['select 1; select 2', 'xp query runs one statement at a time; the SQL holds 2'],
    ["select 1; copy (select 1) to 'x'", 'xp query runs one statement at a time; the SQL holds 2'],
    ["pivot (select 1 as v, 'k' as k) on k using sum(v)", 'xp query is read-only: PIVOT without an IN list creates a type before it runs'],
    ["select * from (pivot (select 1 as v, 'k' as k) on k using sum(v))", 'xp query is read-only: PIVOT without an IN list creates a type before it runs'],
    ['select * from checkpoint()', 'xp query is read-only: checkpoint() writes the database'],
    ['select * from range(1), lateral (from main.enable_logging())', 'xp query is read-only: enable_logging() changes logging and can write log files'],
    ['with q as (from QUERY($$select 1$$)) from q', 'xp query is read-only: query() runs SQL text that cannot be checked before it runs'],
  ])('refuses %s: %s', async (sql, message) => {
    expect(await refusal(sql)).toMatchObject({ code: 'QUERY_REFUSED', message, exitCode: 2 });
  });

  it('a syntax error is QUERY_FAILED with DuckDB\'s words; empty SQL is USAGE', async () => {
    expect(await refusal('selec 1')).toMatchObject({ code: 'QUERY_FAILED', message: 'Parser Error: syntax error at or near "selec"', exitCode: 1 });
    expect(await refusal('/* nothing */ ;')).toMatchObject({ code: 'USAGE', message: 'xp query needs one read statement; the SQL holds none', exitCode: 2 });
  });
});

describe('splitStatements (it only words refusals)', () => {
  it.each([
    ['select 1', [['SELECT']]],
    ["select ';' as a; copy t to 'x'", [['SELECT', 'AS', 'A'], ['COPY', 'T', 'TO']]],
    ['select "a;b" from t -- ; not a split\n; drop t', [['SELECT', 'FROM', 'T'], ['DROP', 'T']]],
    ["/* ; */ select $tag$ ; $tag$, $$;$$, E'\\';' ; load x", [['SELECT'], ['LOAD', 'X']]],
    ['select $1 ; ; ', [['SELECT']]],
    ['', []],
  ])('%j', (sql, words) => {
    expect(splitStatements(sql).map((s) => s.words)).toEqual(words);
  });

  it('keeps the words outside parentheses apart', () => {
    expect(splitStatements("copy (select 1 to) from 'x'")[0]!.topWords).toEqual(['COPY', 'FROM']);
  });
});

describe('sandboxRefusal', () => {
  it('turns a closed file into QUERY_REFUSED, and leaves other errors alone', () => {
    const closed = sandboxRefusal(new Error('Permission Error: Cannot access file "/etc/passwd" - file system operations are disabled by configuration\nLINE 1'), 'xp query reads only the warehouse', 'h');
    expect(closed).toMatchObject({ code: 'QUERY_REFUSED', message: 'xp query reads only the warehouse: it may not open /etc/passwd', hint: 'h' });
    expect(sandboxRefusal(new Error('Catalog Error: no table'), 'r', 'h')).toBeUndefined();
  });
});
