/**
 * ctx.ledger over the analysis stage's cache (src/analyse/plugin-ledger.ts): the plugins
 * of an experiment read its ledger once, a look or decision recorded by one plugin is
 * seen by the plugins after it, and what a plugin does to the state it gets never
 * reaches another.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadProject } from '../../src/runner/load-project.ts';
import { runBuild, type BuildOutcome } from '../../src/runner/run-build.ts';
import { experimentCommand } from '../../src/cli/commands/experiment.ts';
import { readExperimentEvents } from '../../src/ledger/store.ts';
import { miniProject, type TempProject } from '../helpers/project.ts';
import { rows, withDb } from '../helpers/warehouse.ts';
import { writePlugin } from './support.ts';

let p: TempProject;
beforeEach(async () => {
  p = await miniProject();
});
afterEach(() => p.remove());

const wh = (): string => p.file('target/warehouse.duckdb');
async function build(): Promise<BuildOutcome> {
  return runBuild(await loadProject('configs/dev.yaml', p.root), { select: 'exp_a' });
}

describe('ctx.ledger across the plugins of a build', () => {
  it('a look one plugin records is in the looks of the plugins after it; the same snapshot takes no second look', async () => {
    writePlugin(p, 'a_look', [
      "  reads: ['variant_totals'], writes: { a_look: { before: 'bigint', recorded: 'boolean' } },",
      '  async run(ctx) {',
      '    const before = (await ctx.ledger.lookContext()).looks.length;',
      "    const r = await ctx.ledger.recordLook({ informationFraction: 0.5, z: 1, boundary: 2.8, alphaSpent: 0.005, decision: 'continue' });",
      '    return { a_look: [{ before, recorded: r.recorded }] };',
      '  },',
    ].join('\n'));
    writePlugin(p, 'b_read', [
      "  reads: ['variant_totals'], after: ['a_look'], writes: { b_read: { looks: 'bigint', current: 'bigint' } },",
      '  async run(ctx) {',
      '    const l = await ctx.ledger.lookContext();',
      '    return { b_read: [{ looks: l.looks.length, current: l.currentLook?.look ?? null }] };',
      '  },',
    ].join('\n'));
    await build();
    await experimentCommand(await loadProject('configs/dev.yaml', p.root), 'start', 'exp_a');
    expect((await build()).status).toBe('success');
    expect(await rows(wh(), 'select before, recorded from exp.a_look')).toEqual([{ before: 0, recorded: true }]);
    expect(await rows(wh(), 'select looks, current from exp.b_read')).toEqual([{ looks: 1, current: 1 }]);
    const looks = await withDb(wh(), async (db) => (await readExperimentEvents(db, 'exp_a')).filter((e) => e.kind === 'look').length);
    expect(looks).toBe(1);
  });

  it('a plugin that changes the state it was given changes nothing another plugin reads', async () => {
    writePlugin(p, 'a_vandal', [
      "  reads: ['variant_totals'], writes: {},",
      '  async run(ctx) {',
      '    const l = await ctx.ledger.lookContext();',
      "    (l.config as unknown as Record<string, unknown>)['vandal'] = true;",
      "    (l.looks as unknown[]).push({ look: 99 });",
      '    return {};',
      '  },',
    ].join('\n'));
    writePlugin(p, 'b_read', [
      "  reads: ['variant_totals'], after: ['a_vandal'], writes: { b_read: { looks: 'bigint', vandal: 'boolean' } },",
      '  async run(ctx) {',
      '    const l = await ctx.ledger.lookContext();',
      "    return { b_read: [{ looks: l.looks.length, vandal: l.config !== undefined && 'vandal' in l.config }] };",
      '  },',
    ].join('\n'));
    expect((await build()).status).toBe('success');
    expect(await rows(wh(), 'select looks, vandal from exp.b_read')).toEqual([{ looks: 0, vandal: false }]);
  });
});
