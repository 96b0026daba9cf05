/**
 * The plugins of an experiment write their rows as batches (src/analyse/run-analyses.ts):
 * one transaction for several plugins. A failed batch keeps every plugin's previous
 * results and fingerprint; a plugin still reads the rows of the plugins before it, through
 * ctx.results or through ctx.query, declared or not; steps end in plugin order.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BuildOptions, BuildOutcome } from '../../src/runner/run-build.ts';
import type { StepResult } from '../../src/core/results.ts';
import type { BuildEvent } from '../../src/core/events.ts';
import { miniProject, type TempProject, buildAll } from '../helpers/project.ts';
import { rows, withDb } from '../helpers/warehouse.ts';
import { writePlugin } from './support.ts';

let p: TempProject;
beforeEach(async () => {
  p = await miniProject();
});
afterEach(() => p.remove());

const build = (opts: Partial<BuildOptions> = {}): Promise<BuildOutcome> => buildAll(p.root, opts);
const analyses = (o: BuildOutcome): StepResult[] => o.results.filter((r) => r.node.startsWith('analysis:'));
const wh = (): string => p.file('target/warehouse.duckdb');
const markNotes = (): void => p.write('analyses/variant_count.ts', p.read('analyses/variant_count.ts').replace('note: ctx.experiment.name', "note: ctx.experiment.name + '!'"));
const fingerprints = (): Promise<Record<string, unknown>[]> => rows(wh(), "select model, experiment_id, fingerprint, run_id from xp.partitions where model like 'analysis:%' order by all");

describe('batched plugin writes', () => {
  it('a batch whose write fails rolls back as a whole: every plugin in it keeps its previous results and fingerprint', async () => {
    // zz_label runs after variant_count, in the same batch (it reads nothing of it)
    writePlugin(p, 'zz_label', "  reads: ['variant_totals'], writes: { zz_labels: { label: 'varchar' } },\n  async run() { return { zz_labels: [{ label: '12' }] }; },");
    expect((await build()).status).toBe('success');
    const before = await fingerprints();
    // the warehouse's zz_labels now takes integers only: the batch's insert of 'not a number' fails in DuckDB
    await withDb(wh(), async (db) => {
      await db.run('drop table exp.zz_labels');
      await db.run('create table exp.zz_labels (experiment_id varchar not null, label integer)');
      await db.run("insert into exp.zz_labels values ('exp_a', 12), ('exp_b', 12)");
    }, { readOnly: false });
    markNotes();
    writePlugin(p, 'zz_label', "  reads: ['variant_totals'], writes: { zz_labels: { label: 'varchar' } },\n  async run() { return { zz_labels: [{ label: 'not a number' }] }; },");
    const o = await build();
    expect(o.status).toBe('error');
    const failed = analyses(o).filter((r) => r.experimentId === 'exp_a');
    expect(failed.map((r) => [r.node, r.status])).toEqual([['analysis:variant_count', 'error'], ['analysis:zz_label', 'error']]);
    // both name the one failure of their batch
    expect(failed[0]!.message).toMatch(/^analysis variant_count failed: .*not a number/i);
    expect(failed[1]!.message).toMatch(/^analysis zz_label failed: .*not a number/i);
    expect(await rows(wh(), 'select experiment_id, note from exp.variant_summary order by all')).toEqual([{ experiment_id: 'exp_a', note: 'A' }, { experiment_id: 'exp_b', note: 'B' }]);
    expect(await rows(wh(), 'select experiment_id, label from exp.zz_labels order by all')).toEqual([{ experiment_id: 'exp_a', label: 12 }, { experiment_id: 'exp_b', label: 12 }]);
    expect(await fingerprints()).toEqual(before);
  });

  it('a plugin that fails leaves the batch to the others: their rows are written, its previous results stay', async () => {
    writePlugin(p, 'zz_label', "  reads: ['variant_totals'], writes: { zz_labels: { label: 'varchar' } },\n  async run(ctx) { return { zz_labels: [{ label: ctx.experiment.id }] }; },");
    await build();
    markNotes();
    writePlugin(p, 'zz_label', "  reads: ['variant_totals'], writes: { zz_labels: { label: 'varchar' } },\n  async run() { throw new Error('no labels today'); },");
    const o = await build();
    expect(analyses(o).map((r) => `${r.experimentId} ${r.node} ${r.status}`)).toEqual([
      'exp_a analysis:variant_count success', 'exp_a analysis:zz_label error', 'exp_b analysis:variant_count success', 'exp_b analysis:zz_label error',
    ]);
    expect(await rows(wh(), 'select note from exp.variant_summary order by all')).toEqual([{ note: 'A!' }, { note: 'B!' }]);
    expect(await rows(wh(), 'select label from exp.zz_labels order by all')).toEqual([{ label: 'exp_a' }, { label: 'exp_b' }]);
  });

  it('a ctx.query reads the rows of the plugins before it, even when it does not declare them', async () => {
    // neither reads nor after name variant_count: only the query says it reads its table
    writePlugin(p, 'zz_reader', [
      "  reads: ['variant_totals'], writes: { zz_read: { note: 'varchar', tables: 'bigint' } },",
      '  async run(ctx) {',
      "    const [t] = await ctx.query<{ n: number }>(\"select count(*) as n from information_schema.tables where table_schema = 'exp' and table_name = $t\", { t: 'variant_summary' });",
      "    const [r] = await ctx.query<{ note: string }>('select note from exp.variant_summary where experiment_id = $experiment_id');",
      '    return { zz_read: [{ note: r?.note ?? null, tables: Number(t!.n) }] };',
      '  },',
    ].join('\n'));
    await build();
    expect(await rows(wh(), 'select experiment_id, note, tables from exp.zz_read order by all')).toEqual([
      { experiment_id: 'exp_a', note: 'A', tables: 1 }, { experiment_id: 'exp_b', note: 'B', tables: 1 },
    ]);
    markNotes();
    // forced: zz_reader's fingerprint does not know it reads variant_count's table
    await build({ fullRefresh: true });
    expect(await rows(wh(), 'select note from exp.zz_read order by all')).toEqual([{ note: 'A!' }, { note: 'B!' }]);
  });

  it('the table lookup by parameter sees a table the batch creates', async () => {
    // in a fresh warehouse exp.variant_summary does not exist until variant_count's rows are written
    writePlugin(p, 'zz_reader', [
      "  reads: ['variant_totals'], writes: { zz_read: { tables: 'bigint' } },",
      '  async run(ctx) {',
      "    const [t] = await ctx.query<{ n: number }>(\"select count(*) as n from information_schema.tables where table_schema = 'exp' and table_name = $t\", { t: 'variant_summary' });",
      '    return { zz_read: [{ tables: Number(t!.n) }] };',
      '  },',
    ].join('\n'));
    await build({ select: 'exp_a' });
    expect(await rows(wh(), 'select tables from exp.zz_read')).toEqual([{ tables: 1 }]);
  });

  it('steps end in plugin order, a skipped plugin between two that ran included', async () => {
    writePlugin(p, 'zz_last', "  reads: ['variant_totals'], writes: { zz_last: { n: 'bigint' } },\n  async run() { return { zz_last: [{ n: 1 }] }; },");
    writePlugin(p, 'y_middle', "  reads: ['variant_totals'], writes: { y_middle: { n: 'bigint' } },\n  async run() { return { y_middle: [{ n: 1 }] }; },");
    const ended: string[] = [];
    const reporter = (e: BuildEvent): void => {
      if (e.type === 'step-end' && e.result.node.startsWith('analysis:') && e.result.experimentId === 'exp_a') ended.push(`${e.result.node} ${e.result.reason ?? e.result.status}`);
    };
    const o = await build({ skip: new Set(['y_middle']), reporter });
    const expected = ['analysis:variant_count success', 'analysis:y_middle flag', 'analysis:zz_last success'];
    expect(ended).toEqual(expected);
    expect(analyses(o).filter((r) => r.experimentId === 'exp_a').map((r) => `${r.node} ${r.reason ?? r.status}`)).toEqual(expected);
  });

  it('a batch adds the columns its plugins gained and creates their new tables', async () => {
    await build();
    p.write('analyses/variant_count.ts', p.read('analyses/variant_count.ts')
      .replace("note: 'varchar' }", "note: 'varchar', twice: 'bigint' }")
      .replace('note: ctx.experiment.name', 'note: ctx.experiment.name, twice: Number(r.users) * 2'));
    writePlugin(p, 'zz_label', "  reads: ['variant_totals'], writes: { zz_labels: { label: 'varchar' } },\n  async run(ctx) { return { zz_labels: [{ label: ctx.experiment.id }] }; },");
    expect((await build()).status).toBe('success');
    expect(await rows(wh(), 'select experiment_id, note, twice from exp.variant_summary order by all')).toEqual([
      { experiment_id: 'exp_a', note: 'A', twice: 100 }, { experiment_id: 'exp_b', note: 'B', twice: 100 },
    ]);
    expect(await rows(wh(), 'select * from exp.zz_labels order by all')).toEqual([{ experiment_id: 'exp_a', label: 'exp_a' }, { experiment_id: 'exp_b', label: 'exp_b' }]);
  });
});
