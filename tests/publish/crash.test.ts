/**
 * Crash safety of publishing to a local lake: a build SIGKILLed at each publishing step
 * (XP_TEST_KILL, src/core/kill-points.ts) of the middle published table leaves every
 * partition, as a reader following the manifests sees it, exactly at its old or its new
 * generation (never a mix), every manifest naming only files that exist; the next build
 * completes and leaves exactly the new generation, with nothing of the dead one behind.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { queryLakeCommand } from '../../src/cli/commands/query-lake.ts';
import { loadProject } from '../../src/runner/load-project.ts';
import { XP_BIN, xp } from '../helpers/cli.ts';
import { openDb } from '../../src/engine/connection.ts';
import type { TempProject } from '../helpers/project.ts';
import { rows } from '../helpers/warehouse.ts';
import { miniLakeProject, partitionFiles, PUBLISHED, readManifest } from './support/lake-project.ts';

let p: TempProject | undefined;
afterEach(() => p?.remove());

type Table = (typeof PUBLISHED)[number];

/** Day 1 of exp_a: 20 more users (n1…n20), so every published table changes. */
async function writeDayOne(root: string): Promise<void> {
  const file = path.join(root, 'raw/exp_a/events/part-1.parquet');
  const db = await openDb(':memory:');
  try {
    await db.run(`copy (select 'exp_a' as experiment_id, 'n' || i as user_id, case when i % 2 = 0 then 'control' else 'treatment' end as variant,
                         (i % 5)::double as value from range(1, 21) t(i)) to '${file.replaceAll("'", "''")}' (format parquet)`);
  } finally {
    db.close();
  }
}
/** The table killed mid-publication: published after user_values, before variant_totals. */
const KILLED: Table = 'variant_summary';

interface Killed {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

function xpKilledAt(cwd: string, point: string, argv: readonly string[]): Promise<Killed> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [XP_BIN, ...argv], { cwd, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1', XP_TEST_KILL: point } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/** Rows as sorted, key-sorted JSON: equal for equal contents whatever the column order. */
function canonical(list: readonly Record<string, unknown>[]): string[] {
  const value = (v: unknown): unknown => (typeof v === 'bigint' ? v.toString() : v instanceof Date ? v.toISOString() : v);
  return list.map((r) => JSON.stringify(Object.keys(r).sort().map((k) => [k, value(r[k])]))).sort();
}

type Snapshot = Record<string, string[]>;
const key = (table: string, id: string): string => `${table}/${id}`;

/** Every partition as a reader following the manifests sees it. */
async function lakeSnapshot(root: string): Promise<Snapshot> {
  const project = await loadProject('configs/dev.yaml', root);
  const out: Snapshot = {};
  for (const table of PUBLISHED) {
    for (const id of ['exp_a', 'exp_b']) {
      out[key(table, id)] = canonical((await queryLakeCommand(project, `select * from exp.${table} where experiment_id = '${id}'`)).rows);
    }
  }
  return out;
}

async function warehouseSnapshot(root: string): Promise<Snapshot> {
  const out: Snapshot = {};
  for (const table of PUBLISHED) {
    for (const id of ['exp_a', 'exp_b']) {
      out[key(table, id)] = canonical(await rows(path.join(root, 'target/warehouse.duckdb'), `select * from exp.${table} where experiment_id = '${id}'`));
    }
  }
  return out;
}

/** Every file a partition's manifest lists exists with its recorded size and MD5. */
function manifestsIntact(lake: string): void {
  for (const table of PUBLISHED) {
    for (const id of ['exp_a', 'exp_b']) {
      const m = readManifest(lake, table, id);
      for (const f of m.files) {
        const file = path.join(lake, table, `experiment_id=${id}`, f.name);
        expect(statSync(file).size, file).toBe(f.size);
        expect(createHash('md5').update(readFileSync(file)).digest('hex'), file).toBe(f.md5);
      }
    }
  }
}

/** A step, and which tables of exp_a show the new generation right after a kill there. */
const STEPS: readonly { point: string; newTables: readonly Table[]; leftBehind: RegExp | undefined }[] = [
  { point: `after:publish:${KILLED}:staged`, newTables: ['user_values'], leftBehind: /^\.xp-staging-/ },
  { point: `after:publish:${KILLED}:files`, newTables: ['user_values'], leftBehind: /^part-/ },
  { point: `during:publish:${KILLED}:manifest`, newTables: ['user_values'], leftBehind: /^\._manifest\.json\./ },
  { point: `after:publish:${KILLED}:manifest`, newTables: ['user_values', KILLED], leftBehind: /^part-/ },
  { point: `after:publish:${KILLED}:swept`, newTables: ['user_values', KILLED], leftBehind: undefined },
];

describe('SIGKILL while publishing to a local lake, then rebuild', () => {
  for (const { point, newTables, leftBehind } of STEPS) {
    it(`killed ${point}: readers see the old or the new generation of each partition, never a mix; a rebuild completes`, async () => {
      p = await miniLakeProject();
      const lake = p.file('lake');
      const first = await xp(p.root, 'build', '--select', 'all');
      expect(first.code, first.stderr).toBe(0);
      const before = await lakeSnapshot(p.root);
      const oldGeneration = readManifest(lake, KILLED, 'exp_a').generation;
      await writeDayOne(p.root);

      const killed = await xpKilledAt(p.root, point, ['build', '--select', 'exp_a']);
      expect(killed.signal, killed.stdout + killed.stderr).toBe('SIGKILL');
      // publishing comes last: the warehouse already holds the new rows of every table
      const after = await warehouseSnapshot(p.root);
      for (const table of PUBLISHED) expect(after[key(table, 'exp_a')], table).not.toEqual(before[key(table, 'exp_a')]);

      const mid = await lakeSnapshot(p.root);
      for (const table of PUBLISHED) {
        const k = key(table, 'exp_a');
        expect(mid[k], `${table}: old or new, as published`).toEqual(newTables.includes(table) ? after[k] : before[k]);
        expect(mid[key(table, 'exp_b')], `${table}/exp_b untouched`).toEqual(before[key(table, 'exp_b')]);
      }
      manifestsIntact(lake);
      const killedFolder = partitionFiles(lake, KILLED, 'exp_a').filter((n) => n !== '_manifest.json');
      if (leftBehind) expect(killedFolder.some((n) => leftBehind.test(n) && !n.includes(readManifest(lake, KILLED, 'exp_a').generation)), killedFolder.join(', ')).toBe(true);
      expect(readManifest(lake, KILLED, 'exp_a').generation === oldGeneration).toBe(!newTables.includes(KILLED));

      const resumed = await xp(p.root, 'build', '--select', 'exp_a');
      expect(resumed.code, resumed.stdout + resumed.stderr).toBe(0);
      expect(resumed.stdout).toMatch(/warning: took over the stale lock of exp_a left by pid \d+ on .* \(process gone\)/);
      expect(await lakeSnapshot(p.root)).toEqual(await warehouseSnapshot(p.root));
      expect(await lakeSnapshot(p.root)).toEqual({ ...before, ...Object.fromEntries(PUBLISHED.map((t) => [key(t, 'exp_a'), after[key(t, 'exp_a')]])) });
      manifestsIntact(lake);
      // exactly one generation per partition: nothing of the dead publication is left
      for (const table of PUBLISHED) {
        for (const id of ['exp_a', 'exp_b']) {
          const m = readManifest(lake, table, id);
          expect(partitionFiles(lake, table, id)).toEqual(['_manifest.json', ...m.files.map((f) => f.name)]);
        }
      }
      expect(readdirSync(lake).sort()).toEqual([...PUBLISHED]);
    });
  }
});
