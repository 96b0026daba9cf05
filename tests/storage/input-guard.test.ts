/**
 * The input-change guard with the local raw folder (the S3 cases are in
 * s3/build-from-s3.test.ts): a rewritten file under existing results is refused, new and
 * removed files are not, and the refusal writes nothing.
 */
import { renameSync, rmSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { xp } from '../helpers/cli.ts';
import { miniProject, writeMiniRaw, type TempProject } from '../helpers/project.ts';
import { fingerprints, withDb } from '../helpers/warehouse.ts';

let p: TempProject;
beforeEach(async () => {
  p = await miniProject();
});
afterEach(() => p.remove());

const build = (...extra: string[]) => xp(p.root, 'build', '--select', 'all', ...extra);
const wh = (): string => p.file('target/warehouse.duckdb');

describe('input-change guard on a local raw folder', () => {
  it('refuses a rewritten file under existing results, naming it, and writes nothing; --accept-input-change builds it', async () => {
    expect((await build()).code).toBe(0);
    const fps = await withDb(wh(), fingerprints);
    const ledger = await withDb(wh(), (db) => db.all('select count(*) as n from xp.ledger'));
    await writeMiniRaw(p.file('raw'), { exp_b: 4 });

    const refused = await build();
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`experiment exp_b already has results, but 1 raw object in file://${p.file('raw')} changed since its last build: exp_b/events/part-0.parquet (ETag`);
    expect(await withDb(wh(), fingerprints)).toEqual(fps);
    expect(await withDb(wh(), (db) => db.all('select count(*) as n from xp.ledger'))).toEqual(ledger);

    const accepted = await build('--accept-input-change');
    expect(accepted.code).toBe(0);
    const after = await withDb(wh(), fingerprints);
    expect(after.get('stg_events@exp_b')).not.toBe(fps.get('stg_events@exp_b'));
    expect(after.get('stg_events@exp_a')).toBe(fps.get('stg_events@exp_a'));
  });

  it('new files are growth and pass; a removed file passes with a warning', async () => {
    expect((await build()).code).toBe(0);
    await writeMiniRaw(p.file('raw/more'), { exp_a: 2 });
    // a second part file beside the first
    renameSync(p.file('raw/more/exp_a/events/part-0.parquet'), p.file('raw/exp_a/events/part-1.parquet'));
    const grown = await build();
    expect(grown.code).toBe(0);
    expect(grown.stdout).toContain('exp_a: new raw objects (1)');

    rmSync(p.file('raw/exp_a/events/part-1.parquet'));
    const shrunk = await build();
    expect(shrunk.code).toBe(0);
    expect(shrunk.stdout).toContain('warning exp_a: 1 raw object(s) removed since the last build: exp_a/events/part-1.parquet');
  });
});
