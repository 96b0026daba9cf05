import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDb } from '../../../src/engine/connection.ts';
import { deferCommits, ensureBuildData, restorePartition, ScratchDb, type ScratchLayout } from '../../../src/engine/scratch/scratch-db.ts';

const layout: ScratchLayout = {
  tables: new Map([['t', 'partitioned'], ['whole', 'whole']]),
  tablesOf: (node) => [node],
};

let root = '';
afterEach(() => rmSync(root, { recursive: true, force: true }));

async function warehouseWithRows(): Promise<string> {
  root = mkdtempSync(path.join(tmpdir(), 'xp-scratch-'));
  const file = path.join(root, 'warehouse.duckdb');
  const wh = await openDb(file);
  await wh.run('create schema exp');
  await wh.run("create table exp.t as select * from (values ('a', 1), ('a', 2), ('b', 3)) v(experiment_id, x)");
  await wh.run("create table exp.whole as select 42 as answer");
  wh.close();
  return file;
}

const open = (warehouse: string): Promise<ScratchDb> =>
  ScratchDb.open({ warehouse, targetDir: path.join(root, 'target'), runId: 'r1', experimentIds: ['a'], embeddedState: false, layout });

describe('a build scratch copies the data it reads only when something reads it', () => {
  it('holds no model table until a statement names schema exp, then the selected partitions and the whole tables', async () => {
    const scratch = await open(await warehouseWithRows());
    try {
      // asked so that the safety net does not see schema exp named: nothing copied yet
      const local = "select count(*)::int as n from information_schema.tables where table_catalog = 'memory' and table_schema = 'e' || 'xp'";
      expect(await scratch.all(local)).toEqual([{ n: 0 }]);
      expect(await scratch.all('select x from exp.t order by x')).toEqual([{ x: 1 }, { x: 2 }]); // only experiment a
      expect(await scratch.all(local)).toEqual([{ n: 2 }]);
      expect(await scratch.all('select answer from exp.whole')).toEqual([{ answer: 42 }]);
    } finally {
      scratch.close();
    }
  });

  it('copies before a catalog question about schema exp (a table that exists is not reported missing)', async () => {
    const scratch = await open(await warehouseWithRows());
    try {
      const rows = await scratch.all('select table_name from information_schema.tables where table_catalog = current_database() and table_schema = $1 order by 1', ['exp']);
      expect(rows).toEqual([{ table_name: 't' }, { table_name: 'whole' }]);
    } finally {
      scratch.close();
    }
  });

  it('refuses, as our bug, a first read of schema exp inside a transaction; ensureBuildData before it works', async () => {
    const file = await warehouseWithRows();
    const scratch = await open(file);
    try {
      await expect(scratch.transaction((tx) => tx.all('select count(*) from exp.t'))).rejects.toMatchObject({ code: 'INTERNAL' });
    } finally {
      scratch.close();
    }
    const again = await open(file);
    try {
      await ensureBuildData(again);
      expect(await again.transaction((tx) => tx.all('select count(*)::int as n from exp.t'))).toEqual([{ n: 2 }]);
    } finally {
      again.close();
    }
  });
});

describe('partitions the build replaces', () => {
  const openAB = (warehouse: string): Promise<ScratchDb> =>
    ScratchDb.open({ warehouse, targetDir: path.join(root, 'target'), runId: 'r1', experimentIds: ['a', 'b'], embeddedState: false, layout });

  it('are not copied in (the table still is, with the other partitions), and a failed rebuild gets them back', async () => {
    const file = await warehouseWithRows();
    const scratch = await openAB(file);
    try {
      await ensureBuildData(scratch, [{ model: 't', experimentId: 'a' }]);
      expect(await scratch.all('select experiment_id, x from exp.t order by x')).toEqual([{ experiment_id: 'b', x: 3 }]);
      await restorePartition(scratch, { model: 't', experimentId: 'a' });
      expect(await scratch.all('select experiment_id, x from exp.t order by x')).toEqual([
        { experiment_id: 'a', x: 1 }, { experiment_id: 'a', x: 2 }, { experiment_id: 'b', x: 3 },
      ]);
      // once only: a second restore copies nothing twice
      await restorePartition(scratch, { model: 't', experimentId: 'a' });
      expect(await scratch.all('select count(*)::int as n from exp.t')).toEqual([{ n: 3 }]);
    } finally {
      scratch.close();
    }
  });

  it('deferred commits reach the warehouse once, at the end, and not before', async () => {
    const file = await warehouseWithRows();
    const scratch = await openAB(file);
    const inWarehouse = async (): Promise<number> => {
      const ro = await openDb(file, { readOnly: true });
      try {
        return Number((await ro.all<{ n: number }>("select count(*) as n from exp.t where experiment_id = 'a'"))[0]!.n);
      } finally {
        ro.close();
      }
    };
    try {
      await ensureBuildData(scratch, [{ model: 't', experimentId: 'a' }]);
      await deferCommits(scratch, async () => {
        await scratch.transaction(async (tx) => {
          await tx.run("insert into exp.t values ('a', 10)");
          (tx as ScratchDb).note({ model: 't', experimentId: 'a' });
        });
        expect(await inWarehouse()).toBe(2); // the old partition, still
      });
      expect(await inWarehouse()).toBe(1); // replaced by the new one
    } finally {
      scratch.close();
    }
  });
});
