/**
 * Lifecycle and config authority through the CLI: transitions recorded or refused (exit
 * 2); a design change to a running experiment refused with its diff, then accepted with
 * --accept-config-change and recorded; cosmetic changes pass with a note; a completed
 * experiment is not rebuilt without --force.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { statusCommand } from '../../src/cli/commands/status.ts';
import type { ExperimentState } from '../../src/ledger/fold.ts';
import { build, editConfig, kinds, ledger, makeProject, project, tableHashes, writeRaw, xp } from './helpers.ts';

async function state(root: string, id = 'exp_a'): Promise<ExperimentState> {
  return (await statusCommand(await project(root), { experimentId: id })).experiments[0]!.state;
}

describe('lifecycle and config authority', () => {
  let root: string;
  beforeAll(async () => {
    root = makeProject();
    await writeRaw(root, 'exp_a', 0, 0, 40);
    await writeRaw(root, 'exp_b', 0, 0, 40);
    await build(root, { select: 'all' });
  });

  it('a first build registers the experiment as a draft', async () => {
    const s = await state(root);
    expect(s).toMatchObject({ registered: true, status: 'draft', builds: { started: 1, succeeded: 1 } });
    expect(s.config?.config.experiment).toMatchObject({ name: 'A', variants: { control: 0.5, treatment: 0.5 } });
  });

  it('refuses an invalid transition with exit 2 and says what is possible', async () => {
    const r = await xp(root, ['experiment', 'pause', 'exp_a']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('error[LIFECYCLE_INVALID] experiment exp_a: cannot pause experiment exp_a: it is draft\n  hint: from draft you can: xp experiment start exp_a, xp experiment cancel exp_a\n');
  });

  it('starts, and a draft\'s design edits before the start are free', async () => {
    editConfig(root, (y) => y.replace('    days: 7\n  exp_b:', '    days: 14\n  exp_b:'));
    const r = await xp(root, ['experiment', 'start', 'exp_a', '--reason', 'launch']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/exp_a: draft → running \(ledger seq \d+\)/);
    const s = await state(root);
    expect(s.status).toBe('running');
    expect(s.config?.config.experiment['days']).toBe(14);
    expect(kinds(await ledger(root)).slice(-2)).toEqual(['config_snapshot', 'status_changed']);
  });

  it('refuses a design change of a running experiment, showing the diff; nothing is written', async () => {
    const before = await ledger(root);
    const tables = await tableHashes(root);
    editConfig(root, (y) => y.replace('  exp_a:\n    name: A\n    variants: { control: 0.5, treatment: 0.5 }', '  exp_a:\n    name: A\n    variants: { control: 0.4, treatment: 0.6 }'));
    const r = await xp(root, ['build', '--select', 'exp_a']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('error[CONFIG_CHANGED]');
    expect(r.stderr).toContain('configs/dev.yaml:13 · experiment exp_a: the design of running experiment exp_a differs from the config it runs under');
    expect(r.stderr).toContain('  experiment.variants.control: 0.5 → 0.4\n  experiment.variants.treatment: 0.5 → 0.6\n');
    expect(r.stderr).toContain('hint: revert the YAML, or rebuild with --accept-config-change');
    expect(await ledger(root)).toEqual(before);
    expect(await tableHashes(root)).toEqual(tables);
    const st = await xp(root, ['status', 'exp_a']);
    expect(st.stdout).toContain('pending  experiment.variants.control: 0.5 → 0.4 (design: the next build refuses it without --accept-config-change)');
  });

  it('accepts it with --accept-config-change and records it', async () => {
    const r = await xp(root, ['build', '--select', 'exp_a', '--accept-config-change']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('exp_a: design change accepted and recorded: experiment.variants.control: 0.5 → 0.4; experiment.variants.treatment: 0.5 → 0.6');
    const s = await state(root);
    expect(s.configChanges).toHaveLength(1);
    expect(s.configChanges[0]).toMatchObject({ design: true, changes: [{ path: 'experiment.variants.control', from: 0.5, to: 0.4 }, { path: 'experiment.variants.treatment' }] });
    expect(s.config?.config.experiment['variants']).toEqual({ control: 0.4, treatment: 0.6 });
    const again = await build(root);
    expect(again.status).toBe('success'); // the ledger's config now matches the YAML
  });

  it('passes a cosmetic change with a note', async () => {
    editConfig(root, (y) => y.replace('  exp_a:\n    name: A\n', '  exp_a:\n    name: Checkout A\n    owner: growth\n'));
    const notes: string[] = [];
    const out = await build(root, { reporter: (e) => { if (e.type === 'phase') notes.push(`${e.experimentId}: ${e.phase}`); } });
    expect(out.status).toBe('success');
    expect(notes).toContain('exp_a: cosmetic config change recorded: experiment.name: "A" → "Checkout A"; experiment.owner: (unset) → "growth"');
    expect((await state(root)).configChanges.map((c) => c.design)).toEqual([true, false]);
  });

  it('pauses, resumes, completes; a completed experiment needs --force', async () => {
    for (const a of ['pause', 'resume', 'complete']) expect((await xp(root, ['experiment', a, 'exp_a'])).code).toBe(0);
    const refused = await xp(root, ['build', '--select', 'exp_a']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/error\[LIFECYCLE_INVALID\] experiment exp_a: not rebuilding exp_a \(completed\): a finished experiment keeps its results\n  hint: pass --force/);
    const warnings: string[] = [];
    const all = await build(root, { select: 'all', reporter: (e) => { if (e.type === 'warning') warnings.push(e.message); } });
    expect(all.status).toBe('success');
    expect(warnings).toContain('left out: exp_a is completed; pass --force to rebuild it');
    expect(all.results.some((r) => r.experimentId === 'exp_a')).toBe(false);
    const forced = await xp(root, ['build', '--select', 'exp_a', '--force', '--full-refresh']);
    expect(forced.code, forced.stderr).toBe(0);
    const last = (await ledger(root)).filter((e) => e.kind === 'build_started').at(-1)!;
    expect(last.payload).toMatchObject({ force: true });
    expect((await state(root)).status).toBe('completed');
    const s = await xp(root, ['experiment', 'resume', 'exp_a']);
    expect(s.stderr).toContain('cannot resume experiment exp_a: it is completed');
    expect(s.stderr).toContain('completed is final');
  });

  it('cancels a draft; an unknown experiment is refused', async () => {
    expect((await xp(root, ['experiment', 'cancel', 'exp_b'])).code).toBe(0);
    expect((await state(root, 'exp_b')).status).toBe('cancelled');
    const r = await xp(root, ['experiment', 'start', 'exp_zzz']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('error[EXPERIMENT_UNKNOWN] experiment exp_zzz: unknown experiment exp_zzz: not in the config and not in the ledger');
  });
});
