/**
 * Seeds at load time: the CSV reader (quotes, CRLF, multi-line fields, file:line of a bad
 * row) and the type checks against the properties file, each bad input with its code and
 * location.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseCsv } from '../../src/project/csv.ts';
import { loadSeeds } from '../../src/project/load-seeds.ts';
import { loadConfig } from '../../src/project/load-config.ts';
import { XpError } from '../../src/core/errors.ts';
import { seedSql } from '../../src/template/seed-sql.ts';
import { openDb } from '../../src/engine/connection.ts';
import { miniProject, type TempProject } from '../helpers/project.ts';

const PROPS = `description: regions
columns:
  - { name: country, data_type: varchar }
  - { name: tier, data_type: integer }
  - { name: share, data_type: double }
  - { name: launched, data_type: date }
`;

let p: TempProject;
beforeEach(async () => {
  p = await miniProject({ raw: [] });
});
afterEach(() => p.remove());

const load = (): ReturnType<typeof loadSeeds> => loadSeeds(loadConfig('configs/dev.yaml', p.root), new Set(['stg_events']));

function thrown(fn: () => unknown): XpError {
  try {
    fn();
  } catch (e) {
    if (e instanceof XpError) return e;
    throw e;
  }
  throw new Error('expected an XpError');
}

describe('parseCsv', () => {
  it('reads quoted fields with commas, doubled quotes, line breaks and CRLF, keeping each record\'s line', () => {
    const rows = parseCsv('a,b\r\n"x, y","say ""hi"""\r\n"multi\nline",\n\n3,4\n', 'f.csv');
    expect(rows.map((r) => r.line)).toEqual([1, 2, 3, 6]);
    expect(rows[1]!.fields).toEqual(['x, y', 'say "hi"']);
    expect(rows[2]!.fields).toEqual(['multi\nline', '']);
    expect(rows[2]!.quoted).toEqual([true, false]);
  });

  it('names the line of an unterminated quote', () => {
    const e = thrown(() => parseCsv('a\n1\n"open\n', 'seeds/x.csv'));
    expect([e.code, e.location]).toEqual(['SEED_INVALID', { file: 'seeds/x.csv', line: 3 }]);
  });
});

describe('loadSeeds', () => {
  it('loads a typed seed as a project-level table model tagged seed, its SQL giving the typed rows', async () => {
    p.write('seeds/regions.csv', 'country,tier,share,launched\nUS,1,0.5,2020-01-31\n"Côte, d\'Ivoire",,1e-3,\n');
    p.write('seeds/regions.yml', PROPS);
    const [node] = load();
    expect(node).toMatchObject({ name: 'regions', materialized: 'table', stage: 'ingest', tags: ['seed'], path: 'seeds/regions.csv', propertiesPath: 'seeds/regions.yml' });
    const db = await openDb(':memory:');
    try {
      const rows = await db.all(`select country, tier, share, launched::varchar as launched, typeof(tier) as t, typeof(share) as s from (${seedSql(node!.seed!)}) order by country`);
      expect(rows).toEqual([
        { country: 'Côte, d\'Ivoire', tier: null, share: 0.001, launched: null, t: 'INTEGER', s: 'DOUBLE' },
        { country: 'US', tier: 1, share: 0.5, launched: '2020-01-31', t: 'INTEGER', s: 'DOUBLE' },
      ]);
      const empty = { columns: node!.seed!.columns, rows: [] };
      expect(await db.all(`select count(*)::integer as n from (${seedSql(empty)})`)).toEqual([{ n: 0 }]);
    } finally {
      db.close();
    }
  });

  const bad: readonly [string, string, string | undefined, RegExp, number | undefined, string][] = [
    ['a wrong-typed value', 'country,tier,share,launched\nUS,1,0.5,2020-01-31\nGB,one,0.1,2020-01-01\n', PROPS, /"one" is not a valid integer/, 3, 'seeds/regions.csv'],
    ['a row with too many fields', 'country,tier,share,launched\nUS,1,0.5,2020-01-31,extra\n', PROPS, /5 fields, the header 4/, 2, 'seeds/regions.csv'],
    ['an impossible date', 'country,tier,share,launched\nUS,1,0.5,2020-13-45\n', PROPS, /not a valid date/, 2, 'seeds/regions.csv'],
    ['an undeclared column', 'country,tier,share,launched,colour\nUS,1,0.5,2020-01-31,red\n', PROPS, /"colour" is not declared/, 1, 'seeds/regions.csv'],
    ['a declared column missing from the CSV', 'country,tier,share\nUS,1,0.5\n', PROPS, /"launched" missing/, 1, 'seeds/regions.csv'],
    ['an unknown data_type', 'country\nUS\n', 'columns:\n  - { name: country, data_type: strng }\n', /unknown data_type "strng"/, 2, 'seeds/regions.yml'],
    ['a column without a data_type', 'country\nUS\n', 'columns:\n  - name: country\n', /no data_type/, 2, 'seeds/regions.yml'],
    ['no properties file', 'country\nUS\n', undefined, /no properties file/, undefined, 'seeds/regions.csv'],
  ];
  it.each(bad)('refuses %s, naming the file and line', (_what, csv, props, message, line, file) => {
    p.write('seeds/regions.csv', csv);
    if (props !== undefined) p.write('seeds/regions.yml', props);
    const e = thrown(load);
    expect(e.code).toBe('SEED_INVALID');
    expect(e.message).toMatch(message);
    expect(e.location).toEqual(line === undefined ? { file } : { file, line });
  });

  it('refuses a seed named like a model', () => {
    p.write('seeds/stg_events.csv', 'country\nUS\n');
    p.write('seeds/stg_events.yml', 'columns:\n  - { name: country, data_type: varchar }\n');
    expect(thrown(load).message).toMatch(/has the name of a model/);
  });
});
