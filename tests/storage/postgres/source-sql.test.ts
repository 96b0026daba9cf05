/**
 * The SQL text the warehouse store sends, checked as text: table names quoted as
 * identifiers, SQL sources wrapped as subqueries, the experiment id never in the text of
 * the snapshot or extraction, and Redshift's UNLOAD. UNLOAD is checked only as text: no
 * Redshift is reachable from the tests (see README, "Raw events from PostgreSQL or Redshift").
 */
import { describe, expect, it } from 'vitest';
import { extractSql, fromItem, shapeSql, snapshotSql, unloadSql } from '../../../src/storage/postgres/source-sql.ts';

describe('warehouse source SQL', () => {
  it('quotes a table name as an identifier and wraps SQL as a subquery', () => {
    expect(fromItem('events')).toBe('"events" as xp_source');
    expect(fromItem(' analytics.Events ')).toBe('"analytics"."Events" as xp_source');
    expect(fromItem('select * from a join b using (user_id);')).toBe('(\nselect * from a join b using (user_id)\n) as xp_source');
    expect(fromItem('events; drop table x')).toBe('(\nevents; drop table x\n) as xp_source');
  });

  it('binds the id in the snapshot and reads it from the session setting in the extraction', () => {
    expect(snapshotSql('events', { kind: 'column', column: 'updated_at' }, ['event'])).toBe(
      'select count(*)::bigint::text as n, max(xp_source."updated_at")::text as probe, count(*) filter (where xp_source."event" is null) as null_0\nfrom "events" as xp_source\nwhere xp_source.experiment_id = $1');
    expect(snapshotSql('events', { kind: 'content' }, [])).toContain("sum(('x' || substr(md5(xp_source::text), 1, 16))::bit(64)::bigint::numeric)");
    expect(extractSql('events')).toBe(`select * from "events" as xp_source\nwhere xp_source.experiment_id = current_setting('xp.experiment_id')`);
    expect(shapeSql('events')).toBe('select * from "events" as xp_source where false');
  });

  it('writes Redshift UNLOAD of one partition to Parquet, escaping the query literal', () => {
    expect(unloadSql("select * from events where kind = 'a'", 'exp_1', 's3://lake/unload/exp_1/outcomes/', 'arn:aws:iam::123:role/xp')).toBe(
      "unload ('select * from (\nselect * from events where kind = \\'a\\'\n) as xp_source where xp_source.experiment_id = \\'exp_1\\'')\n"
      + "to 's3://lake/unload/exp_1/outcomes/'\niam_role 'arn:aws:iam::123:role/xp'\nformat as parquet\nallowoverwrite\ncleanpath\nmaxfilesize 256 mb");
    expect(unloadSql('events', 'exp.2', 's3://lake/u', undefined)).toContain("to 's3://lake/u/'\niam_role default\n");
  });

  it('refuses an id that did not pass the experiment id check', () => {
    expect(() => unloadSql('events', "x'; drop table t; --", 's3://lake/u', undefined)).toThrow(/not a checked id/);
  });
});
