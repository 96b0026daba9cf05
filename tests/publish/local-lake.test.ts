/**
 * Publishing to a local lake (`storage.lake: file://lake`) on the mini fixture: layout and
 * manifests, one generation after republishing, failures that keep the previous
 * publication, readers that never see a mix, `xp query --lake` while another process holds
 * the warehouse, and ids or manifests that try to leave the lake.
 */
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDb } from '../../src/engine/connection.ts';
import { loadProject } from '../../src/runner/load-project.ts';
import { localLake } from '../../src/publish/local/lake.ts';
import { partitionOfManifestKey } from '../../src/publish/lake.ts';
import { publishPartition, type PublishPhase } from '../../src/publish/publish-partition.ts';
import { queryLakeCommand } from '../../src/cli/commands/query-lake.ts';
import { xp } from '../helpers/cli.ts';
import { holdWarehouse } from '../helpers/lock.ts';
import type { TempProject } from '../helpers/project.ts';
import { rows } from '../helpers/warehouse.ts';
import { miniLakeProject, partitionFiles, PUBLISHED, readManifest, tree } from './support/lake-project.ts';

let p: TempProject;
beforeEach(async () => {
  p = await miniLakeProject();
});
afterEach(() => p.remove());

const lakeDir = (): string => p.file('lake');
const wh = (): string => p.file('target/warehouse.duckdb');
async function build(...extra: string[]): Promise<string> {
  const r = await xp(p.root, 'build', '--select', 'all', ...extra);
  if (r.code !== 0) throw new Error(`build failed (${r.code}):\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}
const parquet = (files: string[]): string[] => files.filter((f) => f.endsWith('.parquet'));

describe('publishing to a local lake', () => {
  it('publishes each finished partition of the core, aggregate and analysis tables as Hive-partitioned Parquet with a manifest', async () => {
    const out = await build();
    expect(out).toContain(`exp_a: publish (3 published to file://${lakeDir()}, 0 up to date)`);
    // staging (reads sources) and project-level models are not published
    expect(readdirSync(lakeDir()).sort()).toEqual([...PUBLISHED]);
    for (const table of PUBLISHED) {
      for (const id of ['exp_a', 'exp_b']) {
        const m = readManifest(lakeDir(), table, id);
        expect(m).toMatchObject({ format: 'xp-lake-partition/1', table, experiment_id: id });
        expect(partitionFiles(lakeDir(), table, id)).toEqual(['_manifest.json', ...m.files.map((f) => f.name)]);
        expect(m.files.map((f) => f.name)).toEqual([`part-${m.generation}-0.parquet`]);
        expect(m.columns.map((c) => c.name)).not.toContain('experiment_id');
      }
    }
    // another engine reading the folders Hive-style gets the warehouse's rows
    const db = await openDb(':memory:');
    try {
      const fromLake = await db.all(`select experiment_id, variant, n, total from read_parquet('${lakeDir()}/variant_totals/*/*.parquet', hive_partitioning = true) order by all`);
      expect(fromLake).toEqual(await rows(wh(), 'select experiment_id, variant, n, total from exp.variant_totals order by all'));
    } finally {
      db.close();
    }
  });

  it('xp query --lake returns what the warehouse holds, table by table', async () => {
    await build();
    const project = await loadProject('configs/dev.yaml', p.root);
    for (const table of PUBLISHED) {
      const lake = await queryLakeCommand(project, `select * from {{ref "${table}"}} order by all`);
      expect(lake.rows).toEqual(await rows(wh(), `select * from exp.${table} order by all`));
    }
    const r = await xp(p.root, 'query', '--lake', `select experiment_id, n from exp.variant_totals where variant = 'control' order by 1`, '-f', 'csv');
    expect(r).toEqual({ code: 0, stdout: 'experiment_id,n\nexp_a,25\nexp_b,25\n', stderr: '' });
  });

  it('an unchanged build publishes nothing; a rebuild republishes and leaves exactly one generation per partition', async () => {
    await build();
    const first = Object.fromEntries(PUBLISHED.map((t) => [t, readManifest(lakeDir(), t, 'exp_a')]));
    expect(await build()).toContain('exp_a: publish (0 published');
    for (const t of PUBLISHED) expect(readManifest(lakeDir(), t, 'exp_a')).toEqual(first[t]);

    await build('--full-refresh');
    for (const t of PUBLISHED) {
      for (const id of ['exp_a', 'exp_b']) {
        const m = readManifest(lakeDir(), t, id);
        if (id === 'exp_a') expect(m.generation).not.toBe(first[t]!.generation);
        expect(partitionFiles(lakeDir(), t, id)).toEqual(['_manifest.json', `part-${m.generation}-0.parquet`]);
      }
    }
  });

  it('files a dead publication left behind are swept by the next build', async () => {
    await build();
    const folder = path.join(lakeDir(), 'variant_totals', 'experiment_id=exp_a');
    writeFileSync(path.join(folder, 'part-19990101000000000_deadbeef-0.parquet'), 'half a file');
    mkdirSync(path.join(folder, '.xp-staging-19990101000000000_deadbeef'));
    await build();
    const m = readManifest(lakeDir(), 'variant_totals', 'exp_a');
    expect(partitionFiles(lakeDir(), 'variant_totals', 'exp_a')).toEqual(['_manifest.json', `part-${m.generation}-0.parquet`]);
  });

  it('a failed model, or a failed data test, keeps the previous publication', async () => {
    await build();
    const before = tree(lakeDir());
    const manifests = PUBLISHED.map((t) => readManifest(lakeDir(), t, 'exp_a'));
    const model = p.read('models/core/user_values.sql');

    p.write('models/core/user_values.sql', model.replace('sum(value) as value', 'sum(value) as value, no_such_column'));
    const failed = await xp(p.root, 'build', '--select', 'exp_a');
    expect(failed.code).toBe(1);
    expect(tree(lakeDir())).toEqual(before);

    p.write('models/core/user_values.sql', model);
    p.write('models/core/user_values.yml', 'columns:\n  - name: value\n    tests:\n      - accepted_range: { max: 1 }\n');
    const audited = await xp(p.root, 'build', '--select', 'exp_a', '--full-refresh');
    expect(audited.code).toBe(1);
    expect(audited.stdout).toMatch(/FAIL +exp_a user_values/);
    expect(tree(lakeDir())).toEqual(before);
    expect(PUBLISHED.map((t) => readManifest(lakeDir(), t, 'exp_a'))).toEqual(manifests);
  });
});

describe('reading while a partition is republished', () => {
  /** variant_totals of exp_a as the lake shows it, and the Parquet files in its folder. */
  async function look(project: Awaited<ReturnType<typeof loadProject>>): Promise<{ totals: number[]; files: string[] }> {
    const r = await queryLakeCommand(project, `select total from exp.variant_totals where experiment_id = 'exp_a' order by total`);
    return { totals: r.rows.map((x) => Number(x['total'])), files: parquet(partitionFiles(lakeDir(), 'variant_totals', 'exp_a')) };
  }

  it('follows the manifest: the old generation until it is replaced, then only the new one', async () => {
    await build();
    const project = await loadProject('configs/dev.yaml', p.root);
    const old = readManifest(lakeDir(), 'variant_totals', 'exp_a');
    const seen = new Map<PublishPhase, { totals: number[]; files: string[] }>();
    const db = await openDb(wh());
    let generation = '';
    try {
      await db.run("update exp.variant_totals set total = total + 1000 where experiment_id = 'exp_a'");
      const m = await publishPartition(db, localLake(lakeDir()), { table: 'variant_totals', experimentId: 'exp_a', fingerprint: 'edited', runId: 'test' }, {
        onPhase: async (phase) => void seen.set(phase, await look(project)),
      });
      generation = m.generation;
    } finally {
      db.close();
    }
    const both = [old.files[0]!.name, `part-${generation}-0.parquet`].sort();
    // both generations sit in the folder, but the reader sees the old one only
    expect(seen.get('files-written')).toEqual({ totals: [296, 298], files: both });
    // the manifest switched: the new rows only, though the old files still exist
    expect(seen.get('manifest-written')).toEqual({ totals: [1296, 1298], files: both });
    expect(seen.get('old-files-deleted')).toEqual({ totals: [1296, 1298], files: [`part-${generation}-0.parquet`] });
  });

  it('readers running alongside repeated publications never see a mix of versions', async () => {
    await build();
    const project = await loadProject('configs/dev.yaml', p.root);
    const lake = localLake(lakeDir());
    const db = await openDb(wh());
    let done = false;
    let published = 0;
    const versions: number[] = [];
    const reader = (async () => {
      while (!done) {
        const { totals } = await look(project);
        const [control, treatment] = [totals[0]! - 296, totals[1]! - 298];
        expect(control).toBe(treatment); // both rows from one generation
        versions.push(control / 1000);
      }
    })().then(() => undefined, (err: unknown) => err);
    try {
      // publish until the readers have had many looks across several versions
      for (let k = 1; k <= 200 && (versions.length < 12 || new Set(versions).size < 4); k++) {
        published = k;
        await db.run("update exp.variant_totals set total = total + 1000 where experiment_id = 'exp_a'");
        await publishPartition(db, lake, { table: 'variant_totals', experimentId: 'exp_a', fingerprint: `v${k}`, runId: 'test' });
      }
    } finally {
      done = true;
      db.close();
    }
    const failure = await reader;
    if (failure) throw failure;
    expect(versions.length).toBeGreaterThanOrEqual(12);
    expect(new Set(versions).size).toBeGreaterThanOrEqual(4);
    expect(versions.every((v) => Number.isInteger(v) && v >= 0 && v <= published)).toBe(true);
    expect(parquet(partitionFiles(lakeDir(), 'variant_totals', 'exp_a'))).toHaveLength(1);
    // readers pin files with hard links while they read, and leave nothing behind
    expect(existsSync(path.join(lakeDir(), '.xp-readers'))).toBe(false);
  });

  it('xp query --lake works while another process holds the warehouse', async () => {
    await build();
    const holder = await holdWarehouse(wh());
    try {
      process.env['XP_WAREHOUSE_WAIT_SECONDS'] = '1'; // the child's wait for the held warehouse
      try {
        expect((await xp(p.root, 'query', 'select 1')).code).toBe(3);
      } finally {
        delete process.env['XP_WAREHOUSE_WAIT_SECONDS'];
      }
      const r = await xp(p.root, 'query', '--lake', 'select experiment_id, variant, n, total from {{ref "variant_totals"}} order by all', '-f', 'csv');
      expect(r).toEqual({
        code: 0,
        stdout: 'experiment_id,variant,n,total\nexp_a,control,25,296\nexp_a,treatment,25,298\nexp_b,control,25,296\nexp_b,treatment,25,298\n',
        stderr: '',
      });
    } finally {
      await holder.release();
    }
  });
});

describe('the lake boundary', () => {
  it('an experiment id or table name with ../ cannot publish outside the lake', async () => {
    await build();
    const before = tree(p.root);
    const db = await openDb(wh());
    try {
      const lake = localLake(lakeDir());
      for (const bad of [{ table: 'variant_totals', experimentId: '../escape' }, { table: 'variant_totals', experimentId: '..' }, { table: '../variant_totals', experimentId: 'exp_a' }]) {
        await expect(publishPartition(db, lake, { ...bad, fingerprint: 'x', runId: 'test' })).rejects.toMatchObject({ code: 'EXPERIMENT_ID_INVALID' });
      }
    } finally {
      db.close();
    }
    expect(tree(p.root)).toEqual(before);
    expect(partitionOfManifestKey('variant_totals/experiment_id=../_manifest.json')).toBeUndefined();
    expect(partitionOfManifestKey('variant_totals/experiment_id=a..b/_manifest.json')).toBeUndefined();
    expect(partitionOfManifestKey('../x/experiment_id=exp_a/_manifest.json')).toBeUndefined();
    expect(partitionOfManifestKey('variant_totals/experiment_id=exp_a/_manifest.json')).toEqual({ table: 'variant_totals', experimentId: 'exp_a' });
  });

  it('a manifest that points outside its partition is refused by readers', async () => {
    await build();
    const file = path.join(lakeDir(), 'variant_totals', 'experiment_id=exp_a', '_manifest.json');
    const m = readManifest(lakeDir(), 'variant_totals', 'exp_a');
    writeFileSync(file, JSON.stringify({ ...m, files: [{ ...m.files[0], name: '../../user_values/experiment_id=exp_b/x.parquet' }] }));
    const r = await xp(p.root, 'query', '--lake', 'select 1');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('variant_totals/experiment_id=exp_a/_manifest.json is unusable: file "../../user_values/experiment_id=exp_b/x.parquet" is not a part file of generation');
  });

  it('xp query --lake without storage.lake is a usage error (exit 2); an unpublished ref names what is published', async () => {
    await build();
    expect((await xp(p.root, 'query', '--lake', 'select 1')).code).toBe(0);
    p.write('configs/plain.yaml', p.read('configs/dev.yaml').replace('\n  lake: file://lake', ''));
    const r = await xp(p.root, 'query', '--lake', 'select 1', '--config', 'configs/plain.yaml');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--lake: storage.lake is not set in');
    const unknown = await xp(p.root, 'query', '--lake', 'select * from {{ref "stg_events"}}');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('ref "stg_events": model stg_events has no partition published in the lake');
    expect(unknown.stderr).toContain('published tables: user_values, variant_summary, variant_totals');
  });
});
