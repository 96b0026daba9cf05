/**
 * Export → import → resume: an experiment moved to a second warehouse has the same state
 * there, a build there continues it (no second look on the same snapshot, the next look
 * on new data), a diverging history is refused, a damaged export imports nothing, and an
 * export cut short or without its end record is refused (exit 2) before anything is imported.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { statusCommand } from '../../src/cli/commands/status.ts';
import { exportCommand, importCommand } from '../../src/cli/commands/ledger.ts';
import { experimentCommand } from '../../src/cli/commands/experiment.ts';
import { XpError } from '../../src/core/errors.ts';
import { openDb } from '../../src/engine/connection.ts';
import { END_METADATA_KEY, EXPORT_FORMAT } from '../../src/ledger/transfer.ts';
import type { ExperimentState } from '../../src/ledger/fold.ts';
import { addSequentialProbe, build, files, lookValues, makeProject, project, tableHashes, writeRaw, xp } from './helpers.ts';

const DAY = (d: number): Date => new Date(Date.UTC(2026, 0, 5 + d, 6));

async function state(root: string): Promise<ExperimentState> {
  return (await statusCommand(await project(root), { experimentId: 'exp_a' })).experiments[0]!.state;
}

async function day(root: string, d: number): Promise<void> {
  await writeRaw(root, 'exp_a', d, d * 40, (d + 1) * 40, DAY(d));
}

describe('export → import → resume on a second warehouse', () => {
  let a: string;
  let b: string;
  let exported: ExperimentState;

  beforeAll(async () => {
    a = makeProject();
    addSequentialProbe(a);
    await day(a, 0);
    await build(a);
    await experimentCommand(await project(a), 'start', 'exp_a');
    await day(a, 1);
    await build(a);
    exported = await state(a);
    await exportCommand(await project(a), 'exp_a', path.join(a, 'out/exp_a.parquet'));
    await exportCommand(await project(a), 'exp_a', path.join(a, 'out/exp_a.jsonl'));
    b = makeProject();
    addSequentialProbe(b);
    await day(b, 0);
    await day(b, 1);
  });

  it('exports whole chains in both formats', () => {
    expect(exported.looks).toHaveLength(1);
    expect(files(path.join(a, 'out'))).toEqual(['exp_a.jsonl', 'exp_a.parquet']);
    const lines = readFileSync(path.join(a, 'out/exp_a.jsonl'), 'utf8').trim().split('\n');
    expect(lines).toHaveLength(exported.seq + 1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ seq: 1, experiment_id: 'exp_a', kind: 'registered', prev_hash: '' });
    // the end record: what the file promises, per experiment
    const head = JSON.parse(lines[exported.seq - 1]!).hash as string;
    expect(JSON.parse(lines.at(-1)!)).toEqual({ end: { format: EXPORT_FORMAT, experiments: [{ experiment_id: 'exp_a', events: exported.seq, head }] } });
    // no temporary file left beside the exports
    expect(readdirSync(path.join(a, 'out')).filter((n) => n.startsWith('.'))).toEqual([]);
  });

  it('imports into a new warehouse with the same state', async () => {
    const r = await importCommand(await project(b), path.join(a, 'out/exp_a.parquet'));
    expect(r).toEqual([{ experimentId: 'exp_a', action: 'imported', events: exported.seq, added: exported.seq }]);
    expect(await state(b)).toEqual(exported);
    const again = await xp(b, ['ledger', 'import', path.join(a, 'out/exp_a.jsonl')]);
    expect(again.code).toBe(0);
    expect(again.stdout).toBe(`up-to-date exp_a: ${exported.seq} events (0 added)\n`);
  });

  it('a build there continues: the same snapshot takes no new look, the tables equal the source', async () => {
    const out = await build(b);
    expect(out.status).toBe('success');
    const s = await state(b);
    expect(s.looks).toEqual(exported.looks);
    expect(s.status).toBe('running');
    expect(s.builds.started).toBe(exported.builds.started + 1);
    expect(await tableHashes(b)).toEqual(await tableHashes(a));
  });

  it('new data takes the same next look on both warehouses', async () => {
    await day(a, 2);
    await day(b, 2);
    await build(a);
    await build(b);
    const [sa, sb] = [await state(a), await state(b)];
    expect(sa.looks).toHaveLength(2);
    expect(lookValues(sb.looks)).toEqual(lookValues(sa.looks));
    expect(sb.alphaSpent).toBe(sa.alphaSpent);
    expect(await tableHashes(b)).toEqual(await tableHashes(a));
  });

  it('refuses a history that diverged after the export, and changes nothing', async () => {
    await exportCommand(await project(a), 'exp_a', path.join(a, 'out/later.jsonl'));
    const before = await state(b);
    const r = await xp(b, ['ledger', 'import', path.join(a, 'out/later.jsonl')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`error\\[LEDGER_CORRUPT\\] experiment exp_a: the history of exp_a in the file diverges from this warehouse's at seq ${exported.seq + 1}; refusing to overwrite it`));
    expect(await state(b)).toEqual(before);
  });

  it('extends a warehouse that holds an older copy of the same history', async () => {
    const c = makeProject();
    await importCommand(await project(c), path.join(a, 'out/exp_a.jsonl'));
    const r = await importCommand(await project(c), path.join(a, 'out/later.jsonl'));
    expect(r[0]).toMatchObject({ action: 'extended' });
    expect(await state(c)).toEqual(await state(a));
  });

  it('imports nothing from a damaged export', async () => {
    const file = path.join(a, 'out/damaged.jsonl');
    const lines = readFileSync(path.join(a, 'out/exp_a.jsonl'), 'utf8').trim().split('\n');
    lines[4] = lines[4]!.replace('"kind":"', '"kind":"x');
    writeFileSync(file, lines.join('\n') + '\n');
    const c = makeProject();
    const r = await xp(c, ['ledger', 'import', file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/error\[LEDGER_CORRUPT\] .*damaged.jsonl · experiment exp_a: .*the chain of exp_a is broken at seq 5/);
    const s = await xp(c, ['status', 'exp_a', '--format', 'json']);
    expect(JSON.parse(s.stdout).state.registered).toBe(false);
  });

  describe('an export cut short or without its end record is refused, and nothing is imported', () => {
    let c: string;
    let lines: string[];
    const HINT = '  hint: nothing was imported; export the experiments again from their source warehouse with `xp ledger export --select <ids> --to <file>` (exports written before end records existed have none and cannot be imported)\n';
    const write = (name: string, text: string): string => {
      const file = path.join(a, 'out', name);
      writeFileSync(file, text);
      return file;
    };
    async function refused(file: string, message: string, line?: number): Promise<void> {
      const where = line === undefined ? file : `${file}:${line}`;
      const r = await xp(c, ['ledger', 'import', file]);
      expect(r.code).toBe(2);
      expect(r.stderr).toBe(`error[USAGE] ${where}: ${where}: not a complete ledger export: ${message}\n${HINT}`);
    }
    async function refusedInProcess(file: string, message: string, line?: number): Promise<void> {
      const where = line === undefined ? file : `${file}:${line}`;
      const err = await importCommand(await project(c), file).then(() => undefined, (e: unknown) => e);
      expect(err).toBeInstanceOf(XpError);
      expect((err as XpError).exitCode).toBe(2);
      expect((err as XpError).message).toBe(`${where}: not a complete ledger export: ${message}`);
    }

    beforeAll(() => {
      c = makeProject();
      lines = readFileSync(path.join(a, 'out/exp_a.jsonl'), 'utf8').trim().split('\n');
    });

    it('truncated by one line: the end record is gone (as in an export from before end records)', async () => {
      const file = write('short.jsonl', lines.slice(0, -1).join('\n') + '\n');
      await refused(file, 'the end record is missing: the last line is an event', lines.length - 1);
    });

    it('cut off in the middle of its last line', async () => {
      const text = lines.join('\n') + '\n';
      const file = write('cut.jsonl', text.slice(0, text.length - 40));
      await refused(file, 'the end record is missing: the last line is cut off', lines.length);
    });

    it('the last event dropped, the end record kept', async () => {
      const file = write('dropped.jsonl', [...lines.slice(0, -2), lines.at(-1)].join('\n') + '\n');
      await refused(file, `the end record says exp_a has ${lines.length - 1} events, the file holds ${lines.length - 2}`);
    });

    it('the end record\'s count or head hash tampered with', async () => {
      const end = JSON.parse(lines.at(-1)!) as { end: { experiments: { events: number; head: string }[] } };
      const count = structuredClone(end);
      count.end.experiments[0]!.events -= 1;
      const file = write('count.jsonl', [...lines.slice(0, -1), JSON.stringify(count)].join('\n') + '\n');
      await refused(file, `the end record says exp_a has ${lines.length - 2} events, the file holds ${lines.length - 1}`);

      const head = structuredClone(end);
      const real = head.end.experiments[0]!.head;
      head.end.experiments[0]!.head = 'f'.repeat(64);
      await refusedInProcess(write('head.jsonl', [...lines.slice(0, -1), JSON.stringify(head)].join('\n') + '\n'),
        `the end record says the chain of exp_a ends at hash ffffffffffff, the file's last event of it has hash ${real.slice(0, 12)}`);

      const unlisted = structuredClone(end);
      unlisted.end.experiments = [];
      await refusedInProcess(write('unlisted.jsonl', [...lines.slice(0, -1), JSON.stringify(unlisted)].join('\n') + '\n'),
        'exp_a has events in the file but no entry in the end record');
      await refusedInProcess(write('format.jsonl', [...lines.slice(0, -1), '{"end":{"format":"xp-ledger-export/0","experiments":[]}}'].join('\n') + '\n'),
        'the end record is malformed: its format is "xp-ledger-export/0", not xp-ledger-export/1', lines.length);
    });

    it('a Parquet export without its end record, or with rows missing', async () => {
      const source = path.join(a, 'out/exp_a.parquet');
      const db = await openDb(':memory:');
      let end: string;
      try {
        end = (await db.all<{ v: string }>('select decode(value) as v from parquet_kv_metadata($1) where decode(key) = $2', [source, END_METADATA_KEY]))[0]!.v;
        expect(JSON.parse(end)).toMatchObject({ format: EXPORT_FORMAT, experiments: [{ experiment_id: 'exp_a', events: exported.seq }] });
        await db.run(`copy (select * from read_parquet('${source}')) to '${path.join(a, 'out/plain.parquet')}' (format parquet)`);
        await db.run(`copy (select * from read_parquet('${source}') where seq < ${exported.seq}) to '${path.join(a, 'out/short.parquet')}'
                      (format parquet, kv_metadata {${END_METADATA_KEY}: '${end.replaceAll("'", "''")}'})`);
      } finally {
        db.close();
      }
      await refused(path.join(a, 'out/plain.parquet'), `the end record is missing: the Parquet file has no ${END_METADATA_KEY} metadata`);
      await refusedInProcess(path.join(a, 'out/short.parquet'), `the end record says exp_a has ${exported.seq} events, the file holds ${exported.seq - 1}`);
    });

    it('nothing was imported by any of them; the whole export still imports', async () => {
      const s = await xp(c, ['status', 'exp_a', '--format', 'json']);
      expect(JSON.parse(s.stdout).state.registered).toBe(false);
      const r = await importCommand(await project(c), path.join(a, 'out/exp_a.jsonl'));
      expect(r).toEqual([{ experimentId: 'exp_a', action: 'imported', events: exported.seq, added: exported.seq }]);
    });
  });
});
