/**
 * The local raw store lists only what is inside it: a symlink that leaves the store is
 * refused naming link and target, one that stays inside is followed; a file where an
 * experiment's folder (or the store) should be is a project error (exit 2), never a crash.
 */
import { mkdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { XpError } from '../../src/core/errors.ts';
import { localRawStore } from '../../src/storage/local/raw-store.ts';
import { tempDir } from '../helpers/project.ts';

let dir: string;
let raw: string;
beforeEach(() => {
  dir = tempDir('raw-store');
  raw = path.join(dir, 'raw');
  mkdirSync(path.join(raw, 'exp_a', 'exposures'), { recursive: true });
  writeFileSync(path.join(raw, 'exp_a', 'exposures', 'part-0.parquet'), 'a');
  mkdirSync(path.join(dir, 'elsewhere'));
  writeFileSync(path.join(dir, 'elsewhere', 'secret.parquet'), 'not yours');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function listError(root: string, id: string): Promise<XpError> {
  const err = await localRawStore(root).list(id).then(() => undefined, (e: unknown) => e);
  if (err instanceof XpError) return err;
  throw new Error(`expected an XpError, got ${String(err)}`);
}

const keys = async (root: string, id: string): Promise<string[]> => (await localRawStore(root).list(id)).map((o) => o.key);

describe('symlinks in the local raw store', () => {
  it('a link to a file outside the store is refused, naming the link and its target (exit 2)', async () => {
    const link = path.join(raw, 'exp_a', 'exposures', 'part-1.parquet');
    symlinkSync(path.join(dir, 'elsewhere', 'secret.parquet'), link);
    const err = await listError(raw, 'exp_a');
    expect(err.code).toBe('CONFIG_INVALID');
    expect(err.message).toBe(`symlink ${link} points to ${path.join(dir, 'elsewhere', 'secret.parquet')}, outside the raw store ${raw}; refusing to follow it`);
    expect(err.location).toEqual({ experiment: 'exp_a', object: 'exp_a/exposures/part-1.parquet' });
    expect(err.hint).toBe('copy the file into the raw store instead of linking it, or set storage.raw to the folder that holds it; nothing was read');
    expect(err.exitCode).toBe(2);
  });

  it('a relative link that climbs out, a linked folder outside and a linked experiment folder are refused too', async () => {
    const relative = path.join(raw, 'exp_a', 'exposures', 'up.parquet');
    symlinkSync('../../../elsewhere/secret.parquet', relative);
    expect((await listError(raw, 'exp_a')).message).toContain(`symlink ${relative} points to ${path.join(dir, 'elsewhere', 'secret.parquet')}, outside`);
    rmSync(relative);

    const folder = path.join(raw, 'exp_a', 'outcomes');
    symlinkSync(path.join(dir, 'elsewhere'), folder);
    expect((await listError(raw, 'exp_a')).message).toBe(`symlink ${folder} points to ${path.join(dir, 'elsewhere')}, outside the raw store ${raw}; refusing to follow it`);
    rmSync(folder);

    symlinkSync(path.join(dir, 'elsewhere'), path.join(raw, 'exp_b'));
    expect((await listError(raw, 'exp_b')).message).toBe(`symlink ${path.join(raw, 'exp_b')} points to ${path.join(dir, 'elsewhere')}, outside the raw store ${raw}; refusing to follow it`);
  });

  it('links that stay inside the store are followed (the labels in the rows decide what belongs: dq_results)', async () => {
    mkdirSync(path.join(raw, 'exp_b', 'outcomes'), { recursive: true });
    writeFileSync(path.join(raw, 'exp_b', 'outcomes', 'part-0.parquet'), 'b');
    symlinkSync('../../exp_b/outcomes/part-0.parquet', path.join(raw, 'exp_a', 'exposures', 'from-b.parquet'));
    symlinkSync(path.join(raw, 'exp_b', 'outcomes'), path.join(raw, 'exp_a', 'outcomes'));
    // a link back up the tree is listed once, not forever
    symlinkSync(path.join(raw, 'exp_a'), path.join(raw, 'exp_a', 'exposures', 'loop'));
    expect(await keys(raw, 'exp_a')).toEqual([
      'exp_a/exposures/from-b.parquet',
      'exp_a/exposures/part-0.parquet',
      'exp_a/outcomes/part-0.parquet',
    ]);
  });

  it('a store reached through a symlink (data/raw → a bigger disk) is fine', async () => {
    const linkedRoot = path.join(dir, 'linked-raw');
    symlinkSync(raw, linkedRoot);
    expect(await keys(linkedRoot, 'exp_a')).toEqual(['exp_a/exposures/part-0.parquet']);
  });

  it('a dangling link is RAW_DATA_MISSING naming both ends', async () => {
    const link = path.join(raw, 'exp_a', 'exposures', 'gone.parquet');
    symlinkSync(path.join(raw, 'exp_a', 'nothing.parquet'), link);
    const err = await listError(raw, 'exp_a');
    expect(err.code).toBe('RAW_DATA_MISSING');
    expect(err.message).toBe(`symlink ${link} in the raw store points to ${path.join(raw, 'exp_a', 'nothing.parquet')}, which does not exist`);
  });
});

describe('a file where a folder should be', () => {
  it("an experiment's raw folder that is a file is CONFIG_INVALID naming it (exit 2), for list, put and scratchDir", async () => {
    writeFileSync(path.join(raw, 'exp_f'), 'oops');
    const err = await listError(raw, 'exp_f');
    expect(err.code).toBe('CONFIG_INVALID');
    expect(err.message).toBe(`the raw folder of experiment exp_f is a file: ${path.join(raw, 'exp_f')}`);
    expect(err.location).toEqual({ experiment: 'exp_f', object: 'exp_f/' });
    expect(err.hint).toBe(`the raw store holds one folder per experiment (<raw>/<experiment_id>/<table>/*.parquet, e.g. exp_1/exposures/part-0.parquet): move the file away, then put the experiment's Parquet files under ${path.join(raw, 'exp_f')}/<table>/`);
    expect(err.exitCode).toBe(2);
    const store = localRawStore(raw);
    await expect(store.put('exp_f', 'exposures/part-0.parquet', path.join(dir, 'elsewhere', 'secret.parquet'))).rejects.toThrow(err.message);
    expect(() => store.scratchDir('exp_f')).toThrow(err.message);
  });

  it('a store root that is a file is CONFIG_INVALID; a store that does not exist yet lists nothing', async () => {
    renameSync(raw, path.join(dir, 'moved'));
    expect(await keys(raw, 'exp_a')).toEqual([]);
    writeFileSync(raw, 'not a folder');
    const err = await listError(raw, 'exp_a');
    expect(err.code).toBe('CONFIG_INVALID');
    expect(err.message).toBe(`the raw store ${raw} is a file, not a folder`);
  });
});
