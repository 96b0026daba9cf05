/**
 * An experiment id carrying quotes or `../` never reaches SQL or a path: the config
 * rejects it, selection rejects ids that are not configured, the raw store refuses keys
 * that escape it, and values that do reach SQL are escaped literals or bound parameters.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { XpError } from '../../src/core/errors.ts';
import { safeJoin } from '../../src/storage/safe-path.ts';
import { localRawStore } from '../../src/storage/local/raw-store.ts';
import { tableOfKey } from '../../src/storage/types.ts';
import { quoteIdent, sqlLiteral } from '../../src/engine/sql.ts';
import { experimentIdSchema } from '../../src/project/config-schema.ts';
import { FIXTURES, fixtureProject, miniProject, type TempProject } from '../helpers/project.ts';
import { xp } from '../helpers/cli.ts';

const EVIL = ["exp_1'; drop table exp.exposures; --", '../exp_b', '../../etc/passwd', 'exp a', 'exp"b', 'exp\\b', '..', '.', '/abs', 'a/../b', ''];

let p: TempProject | undefined;
afterEach(() => p?.remove());

describe('the id pattern', () => {
  it.each(EVIL)('rejects %j', (id) => {
    expect(experimentIdSchema.safeParse(id).success).toBe(false);
  });
  it.each(['exp_checkout_button_001', 'A.B-c_1', '_x', 'exp.v2'])('accepts %j', (id) => {
    expect(experimentIdSchema.safeParse(id).success).toBe(true);
  });
  it('rejects ids longer than 128 characters', () => {
    expect(experimentIdSchema.safeParse('x'.repeat(128)).success).toBe(true);
    expect(experimentIdSchema.safeParse('x'.repeat(129)).success).toBe(false);
  });
});

describe('a config with an evil id', () => {
  it.each(['id-quote', 'id-dotdot'])('xp build in %s exits 2 before touching the warehouse or the raw store', async (dir) => {
    p = fixtureProject('mini');
    const broken = path.join(FIXTURES, 'configs', dir);
    p.write('configs/dev.yaml', readFileSync(path.join(broken, 'dev.yaml'), 'utf8').replace('warehouse: target/warehouse.duckdb', 'warehouse: target/warehouse.duckdb\nstorage: { raw: file://raw }'));
    if (existsSync(path.join(broken, 'experiments'))) {
      for (const f of readdirSync(path.join(broken, 'experiments'))) {
        p.write(`configs/experiments/${f}`, readFileSync(path.join(broken, 'experiments', f), 'utf8'));
      }
    }
    const r = await xp(p.root, 'build', '--select', 'all');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error\[EXPERIMENT_ID_INVALID\] /);
    expect(existsSync(p.file('target'))).toBe(false);
  });
});

describe('selecting an id that is not configured', () => {
  it.each(["exp_a'; drop table exp.stg_events; --", '../exp_b', 'exp_a/../exp_b'])('xp build --select %j exits 2 and writes nothing', async (id) => {
    p = await miniProject();
    const r = await xp(p.root, 'build', '--select', id);
    expect(r.code).toBe(2);
    const term = id.split(/[,\s]+/)[0]!; // --select splits on commas and spaces
    expect(r.stderr.split('\n')[0]).toBe(`error[EXPERIMENT_UNKNOWN] experiment ${JSON.stringify(term)}: unknown experiment ${JSON.stringify(term)}`);
    expect(r.stderr).toContain('hint: configured experiments: exp_a, exp_b;');
    expect(existsSync(p.file('target'))).toBe(false);
  });

  it('xp generate --experiment-id ../x exits 2', async () => {
    p = await miniProject();
    const r = await xp(p.root, 'generate', '--experiment-id', '../x');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error\[EXPERIMENT_UNKNOWN\]/);
  });
});

describe('paths', () => {
  const root = '/srv/raw';
  it('safeJoin keeps paths inside the root', () => {
    expect(safeJoin(root, 'exp_a', 'events/part-0.parquet')).toBe('/srv/raw/exp_a/events/part-0.parquet');
    expect(safeJoin(root, 'exp_a/./events')).toBe('/srv/raw/exp_a/events');
  });

  it.each([['../etc'], ['exp_a/../../etc'], ['/etc/passwd'], ['exp_a', '../../x'], ['..']])('safeJoin refuses %j', (...parts) => {
    let err: unknown;
    try {
      safeJoin(root, ...parts);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(XpError);
    expect(err).toMatchObject({ code: 'EXPERIMENT_ID_INVALID', message: `path ${JSON.stringify(parts.join('/'))} escapes /srv/raw` });
  });

  it('safeJoin refuses a sibling folder that shares the prefix', () => {
    expect(() => safeJoin(root, '../raw2/x')).toThrow(XpError);
  });

  it('the local raw store refuses to list or write outside itself', async () => {
    p = await miniProject();
    const store = localRawStore(p.file('raw'));
    await expect(store.list('../configs')).rejects.toMatchObject({ code: 'EXPERIMENT_ID_INVALID' });
    await expect(store.put('exp_a', '../../configs/dev.yaml', p.file('configs/dev.yaml'))).rejects.toMatchObject({ code: 'EXPERIMENT_ID_INVALID' });
    expect(() => store.scratchDir('../..')).toThrow(XpError);
    // listing exp_a never returns exp_b's (or exp_a2's) objects
    mkdirSync(p.file('raw/exp_a2/events'), { recursive: true });
    writeFileSync(p.file('raw/exp_a2/events/part-0.parquet'), 'x');
    expect((await store.list('exp_a')).map((o) => o.key)).toEqual(['exp_a/events/part-0.parquet']);
  });

  it('tableOfKey only maps keys inside the experiment prefix', () => {
    expect(tableOfKey('exp_a', 'exp_a/events/part-0.parquet')).toBe('events');
    expect(tableOfKey('exp_a', 'exp_a2/events/part-0.parquet')).toBeUndefined();
    expect(tableOfKey('exp_a', 'exp_a/part-0.parquet')).toBeUndefined();
    expect(tableOfKey('exp_a', 'exp_a/events/notes.txt')).toBeUndefined();
  });
});

describe('SQL', () => {
  it('literal and ident escape every quote', () => {
    expect(sqlLiteral("exp_1'; drop table x; --")).toBe("'exp_1''; drop table x; --'");
    expect(sqlLiteral("''")).toBe("''''''");
    expect(quoteIdent('a"; drop table x; --')).toBe('"a""; drop table x; --"');
  });
});
