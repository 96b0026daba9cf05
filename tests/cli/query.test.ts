/** `xp query`: formats, {{ref}}, read-only, and a plain exit 3 while a build holds the warehouse (the sandbox's probes: query-sandbox.test.ts). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { miniProject, type TempProject } from '../helpers/project.ts';
import { spawnXp, xp } from '../helpers/cli.ts';
import { holdWarehouse } from '../helpers/lock.ts';
import { rows } from '../helpers/warehouse.ts';

let p: TempProject;
beforeAll(async () => {
  p = await miniProject();
  const r = await xp(p.root, 'build', '--select', 'all');
  if (r.code !== 0) throw new Error(`fixture build failed:\n${r.stdout}\n${r.stderr}`);
});
afterAll(() => p.remove());

const SQL = `select experiment_id, variant, n, total from {{ref "variant_totals"}} where experiment_id = 'exp_a' order by variant`;

describe('xp query', () => {
  it('prints a table by default', async () => {
    const r = await xp(p.root, 'query', SQL);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe([
      'experiment_id  variant    n   total',
      '-------------  ---------  --  -----',
      'exp_a          control    25  296',
      'exp_a          treatment  25  298',
      '(2 rows)',
      '',
    ].join('\n'));
  });

  it('--format csv quotes what needs quoting', async () => {
    const r = await xp(p.root, 'query', `select 'a,b' as x, 'say "hi"' as y, null as z, 1.5 as w`, '--format', 'csv');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('x,y,z,w\n"a,b","say ""hi""",,1.5\n');
  });

  it('--format json prints rows as objects', async () => {
    const r = await xp(p.root, 'query', SQL, '-f', 'json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual([
      { experiment_id: 'exp_a', variant: 'control', n: 25, total: 296 },
      { experiment_id: 'exp_a', variant: 'treatment', n: 25, total: 298 },
    ]);
  });

  it('an empty result still prints the columns', async () => {
    const r = await xp(p.root, 'query', `select * from {{ref "all_totals"}} where false`, '--format', 'csv');
    expect(r.stdout).toBe('experiment_id,total\n');
  });

  it('an unknown --format is a usage error', async () => {
    expect((await xp(p.root, 'query', 'select 1', '--format', 'xml')).code).toBe(2);
  });

  it('{{ref}} of an unknown model is MODEL_REF_UNKNOWN, exit 2', async () => {
    const r = await xp(p.root, 'query', 'select * from {{ref "nope"}}');
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('error[MODEL_REF_UNKNOWN]: ref "nope" is not a model\n  hint: run `xp ls` to list models\n');
  });

  it('{{ref}} of an ephemeral model says it is never stored, exit 2', async () => {
    const r = await xp(p.root, 'query', 'select * from {{ref "filtered"}}');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('error[USAGE] models/core/filtered.sql · model filtered: model filtered is ephemeral: it is inlined into the models that use it and never stored\n');
    expect(r.stderr).toContain('hint: query a stored model downstream of it');
  });

  it('a SQL error is QUERY_FAILED, exit 1, with a hint', async () => {
    const r = await xp(p.root, 'query', 'select * from exp.no_such_table');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error\[QUERY_FAILED\]: Catalog Error: Table with name no_such_table does not exist!/);
    expect(r.stderr).toContain('hint: tables live in schema exp');
  });

  it.each([
    ['delete from exp.variant_totals', 'DELETE'],
    ["insert into exp.all_totals values ('x', 1)", 'INSERT'],
    ['drop table exp.variant_totals', 'DROP'],
    ['create table exp.t as select 1', 'CREATE'],
  ])('is read-only: %s is refused before it runs and changes nothing', async (sql, keyword) => {
    const before = await rows(p.file('target/warehouse.duckdb'), 'select count(*) as n from exp.variant_totals');
    const r = await xp(p.root, 'query', sql);
    expect(r).toEqual({
      code: 2,
      stdout: '',
      stderr: `error[QUERY_REFUSED]: xp query is read-only: ${keyword} changes the database\n  hint: change data through models and \`xp build\`\n`,
    });
    expect(await rows(p.file('target/warehouse.duckdb'), 'select count(*) as n from exp.variant_totals')).toEqual(before);
  });

  it('without a warehouse it says to build first', async () => {
    const q = await miniProject();
    try {
      const r = await xp(q.root, 'query', 'select 1');
      expect(r.code).toBe(1);
      expect(r.stderr).toBe(`error[QUERY_FAILED]: no warehouse at ${q.file('target/warehouse.duckdb')}\n  hint: run \`xp build --select <experiment_id>\` first\n`);
    } finally {
      q.remove();
    }
  });

  it('a process that keeps the warehouse open (not a build: builds hold it only to commit) makes xp query wait, then exit 3 with a plain message', async () => {
    const holder = await holdWarehouse(p.file('target/warehouse.duckdb'));
    try {
      const r = await spawnXp(p.root, ['query', 'select 1 as x'], { timeoutMs: 30_000, env: { XP_WAREHOUSE_WAIT_SECONDS: '1' } });
      expect(r, r.stderr).toMatchObject({ code: 3 });
      expect(r.stdout).toBe('');
      expect(r.stderr).toBe(
        `error[WAREHOUSE_LOCKED] ${p.file('target/warehouse.duckdb')}: the warehouse ${p.file('target/warehouse.duckdb')} stayed in use by another process (pid ${holder.pid}) longer than we wait for it\n` +
        '  hint: builds hold it only to commit; a process that keeps it open (an interactive duckdb session, a long xp query) blocks others: close it, or raise XP_WAREHOUSE_WAIT_SECONDS\n',
      );
    } finally {
      await holder.release();
    }
    const after = await xp(p.root, 'query', 'select 1 as x', '-f', 'csv');
    expect(after).toEqual({ code: 0, stdout: 'x\n1\n', stderr: '' });
  });
});
