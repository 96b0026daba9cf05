/**
 * The sandbox of `xp query` and `xp query --lake`, probe by probe: statements that write
 * files, read files, fetch extensions, open databases, change data or settings, or come
 * two at a time are refused (QUERY_REFUSED, exit 2) before they run and leave nothing
 * behind; reads keep working on both paths.
 */
import { existsSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir, type TempProject } from '../helpers/project.ts';
import { xp } from '../helpers/cli.ts';
import { rows } from '../helpers/warehouse.ts';
import { miniLakeProject, tree } from '../publish/support/lake-project.ts';

let p: TempProject;
let outside: string; // a folder outside the project, where no probe may leave a file
let secret: string; // a readable file outside the project
let lakeBefore: string[];
beforeAll(async () => {
  p = await miniLakeProject();
  const r = await xp(p.root, 'build', '--select', 'all');
  if (r.code !== 0) throw new Error(`fixture build failed:\n${r.stdout}\n${r.stderr}`);
  outside = tempDir('query-sandbox');
  secret = path.join(outside, 'secret.csv');
  writeFileSync(secret, 'token\nhunter2\n');
  lakeBefore = tree(p.file('lake'));
});
afterAll(() => {
  p.remove();
  rmSync(outside, { recursive: true, force: true });
});

const PATHS = [
  { name: 'warehouse', flags: [] as string[], reads: 'xp query reads only the warehouse', hint: () => 'query the tables in schema exp; raw files are read by staging models ({{source "raw" "<table>"}}) in `xp build`' },
  { name: '--lake', flags: ['--lake'], reads: "xp query --lake reads only the lake's published tables", hint: () => `the lake (file://${p.file('lake')}) has views exp.user_values, exp.variant_summary, exp.variant_totals` },
] as const;

const refused = (what: string, hint: string): string => `error[QUERY_REFUSED]: xp query is read-only: ${what}\n  hint: ${hint}\n`;
const FILES_HINT = 'select the rows and use `--format csv > file` instead';
const EXT_HINT = 'xp query uses only the extensions built into its DuckDB (such as parquet and json) and installs or loads no other';

/** Every file and folder under `outside` but the secret the read probes aim at. */
const leftOutside = (): string[] => readdirSync(outside).filter((f) => f !== 'secret.csv').sort();

describe.each(PATHS)('xp query on the $name', ({ flags, reads, hint }) => {
  const query = (sql: string, ...extra: string[]) => xp(p.root, 'query', ...flags, sql, ...extra);

  it.each([
    ['copy to a file', () => `copy (select 1 as x) to '${outside}/x.csv'`, refused('COPY writes files', FILES_HINT)],
    ['copy a model to a file', () => `copy exp.variant_totals to '${outside}/t.parquet' (format parquet)`, refused('COPY writes files', FILES_HINT)],
    ['copy from a file', () => `copy exp.variant_totals from '${secret}'`, refused('COPY reads files into tables', 'change data through models and `xp build`')],
    ['export database', () => `export database '${outside}/dump'`, refused('EXPORT DATABASE writes files', 'select each table and use `--format csv > file` instead')],
    ['install httpfs', () => 'install httpfs', refused('INSTALL downloads extensions', EXT_HINT)],
    ['force install', () => 'force install httpfs', refused('INSTALL downloads extensions', EXT_HINT)],
    ['load', () => 'load httpfs', refused('LOAD loads extensions', EXT_HINT)],
    ['attach a file', () => `attach '${outside}/other.duckdb' as other`, refused('ATTACH opens another database', 'query the tables in schema exp, or the published lake with `xp query --lake`')],
    ['attach in memory', () => `attach ':memory:' as scratch`, refused('ATTACH opens another database', 'query the tables in schema exp, or the published lake with `xp query --lake`')],
    ['a write', () => 'create table exp.scratch as select 1 as x', refused('CREATE changes the database', 'change data through models and `xp build`')],
    ['a setting', () => 'set enable_external_access = true', refused('SET changes settings', 'the settings of xp query are fixed (no file access, no extensions)')],
    ['a pragma', () => "pragma table_info('exp.variant_totals')", refused('PRAGMA can change settings and the database', "describe a table with `describe exp.<table>` or `select * from pragma_table_info('exp.<table>')`")],
    ['call', () => 'call checkpoint()', refused('CALL runs a function as a statement', 'select from the table function instead: select * from <function>(…)')],
    ['explain analyze', () => `explain analyze copy (select 1) to '${outside}/e.csv'`, refused('EXPLAIN is refused (EXPLAIN ANALYZE runs the statement it explains)', 'run the select itself')],
    ['a logging function', () => `select * from enable_logging(storage = 'file', storage_path = '${outside}/logs')`, refused('enable_logging() changes logging and can write log files', 'leave it out; xp query only reads')],
    ['SQL run from a string', () => `from query('copy (select 1) to ''${outside}/q.csv''')`, refused('query() runs SQL text that cannot be checked before it runs', 'write that SQL into the query itself')],
    ['a commented copy', () => `/* harmless */ -- really\n copy (select 1) to '${outside}/c.csv'`, refused('COPY writes files', FILES_HINT)],
  ])('refuses %s before it runs: exit 2, nothing written', async (_probe, sql, stderr) => {
    const r = await query(sql());
    expect(r).toEqual({ code: 2, stdout: '', stderr });
    expect(leftOutside()).toEqual([]);
    expect(tree(p.file('lake'))).toEqual(lakeBefore);
  });

  it.each([
    ['two selects', () => 'select 1; select 2'],
    ['a select, then a copy', () => `select 1 as x; copy (select 1) to '${outside}/two.csv'`],
  ])('refuses %s: one statement at a time', async (_probe, sql) => {
    const r = await query(sql());
    expect(r).toEqual({
      code: 2,
      stdout: '',
      stderr: 'error[QUERY_REFUSED]: xp query runs one statement at a time; the SQL holds 2\n  hint: send each statement in its own `xp query` (`;` ends a statement)\n',
    });
    expect(leftOutside()).toEqual([]);
  });

  it.each([
    ['a file outside the project', () => secret],
    ['/etc/passwd', () => '/etc/passwd'],
  ])('refuses to read %s: exit 2', async (_probe, file) => {
    const r = await query(`select * from read_csv('${file()}')`);
    expect(r).toEqual({ code: 2, stdout: '', stderr: `error[QUERY_REFUSED]: ${reads}: it may not open ${file()}\n  hint: ${hint()}\n` });
  });

  it('refuses to list or read the lake folder directly: only the published files the views name', async () => {
    const r = await query(`select * from read_parquet('${p.file('lake')}/variant_totals/*/*.parquet')`);
    expect(r).toEqual({ code: 2, stdout: '', stderr: `error[QUERY_REFUSED]: ${reads}: it may not open ${p.file('lake')}/variant_totals/*/*.parquet\n  hint: ${hint()}\n` });
  });

  it('a syntax error is still QUERY_FAILED, exit 1, and runs nothing', async () => {
    const r = await query(`copy (select 1) to '${outside}/s.csv'; selec 1`);
    expect(r).toEqual({
      code: 1,
      stdout: '',
      stderr: 'error[QUERY_FAILED]: Parser Error: syntax error at or near "selec"\n' +
        '  hint: xp query runs one read statement: SELECT, WITH … SELECT, VALUES, FROM …, TABLE, DESCRIBE, SHOW, SUMMARIZE, PIVOT … IN (…) or UNPIVOT\n',
    });
    expect(leftOutside()).toEqual([]);
  });

  it('empty SQL is a usage error', async () => {
    const r = await query('  -- nothing\n');
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('error[USAGE]: xp query needs one read statement; the SQL holds none\n' +
      '  hint: xp query runs one read statement: SELECT, WITH … SELECT, VALUES, FROM …, TABLE, DESCRIBE, SHOW, SUMMARIZE, PIVOT … IN (…) or UNPIVOT\n');
  });

  it.each([
    ['{{ref}}, csv', `select experiment_id, n from {{ref "variant_totals"}} where variant = 'control' order by 1`, ['-f', 'csv'], 'experiment_id,n\nexp_a,25\nexp_b,25\n'],
    ['with … select, json', `with t as (select experiment_id, n from exp.variant_totals where variant = 'control') select * from t order by 1`, ['-f', 'json'],
      JSON.stringify([{ experiment_id: 'exp_a', n: 25 }, { experiment_id: 'exp_b', n: 25 }], null, 2) + '\n'],
    ['a trailing semicolon', 'select 1 as x;  ', ['-f', 'csv'], 'x\n1\n'],
    ['values', "values (1, 'a'), (2, 'b')", ['-f', 'csv'], 'col0,col1\n1,a\n2,b\n'],
    ['from-first', 'from range(2) select range as i', ['-f', 'csv'], 'i\n0\n1\n'],
    ['describe', 'describe select 1 as x', ['-f', 'csv'], 'column_name,column_type,null,key,default,extra\nx,INTEGER,YES,,,\n'],
    ['summarize', 'select column_name, count from (summarize select 1 as x)', ['-f', 'csv'], 'column_name,count\nx,1\n'],
    ['a table function that reads', "select name from pragma_table_info('exp.variant_totals') where name = 'n'", ['-f', 'csv'], 'name\nn\n'],
  ])('still reads: %s', async (_case, sql, extra, stdout) => {
    expect(await query(sql, ...extra)).toEqual({ code: 0, stdout, stderr: '' });
  });
});

describe('the warehouse after the probes', () => {
  it('is unchanged and has no scratch table', async () => {
    const wh = p.file('target/warehouse.duckdb');
    expect(await rows(wh, "select count(*) as n from duckdb_tables() where table_name = 'scratch'")).toEqual([{ n: 0 }]);
    expect(existsSync(path.join(outside, 'dump'))).toBe(false);
  });
});
