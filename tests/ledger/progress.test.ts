/**
 * One count of a build's steps: the console's live k/n, its piped "still running" lines
 * and the progress file `xp status` reads agree, on events and on a real build.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { buildReporter } from '../../src/cli/print/build-reporter.ts';
import type { BuildEvent } from '../../src/core/events.ts';
import type { PlanStep, StepResult } from '../../src/core/results.ts';
import { estimateEta, readProgress, stopProgress, trackBuildProgress } from '../../src/ledger/progress.ts';
import { loadProject } from '../../src/runner/load-project.ts';
import { runBuild } from '../../src/runner/run-build.ts';
import { miniProject, type TempProject } from '../helpers/project.ts';

const step = (model: string, experimentId: string | null = 'exp_a'): PlanStep => ({
  experimentId, model, materialized: experimentId ? 'partitioned' : 'table', stage: 'ingest', action: 'build', reason: 'new', fingerprint: 'f', sql: 'select 1',
});
const ok = (node: string, experimentId: string | null = 'exp_a'): StepResult => ({ experimentId, node, stage: 'ingest', status: 'success', rows: 100, seconds: 2 });

/** k/n of the console's last live line */
const liveCount = (writes: readonly string[]): string | undefined => {
  const live = writes.filter((w) => w.startsWith('\r\x1b[2K') && w.length > 5).at(-1);
  return live ? /(?:^|\] )(\d+\/\d+) /.exec(live.slice(5))?.[1] : undefined;
};

let dirs: string[] = [];
afterEach(() => {
  vi.useRealTimers();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  dirs = [];
});

describe('estimateEta', () => {
  it('the mean time of the finished steps that took any, for each step left; the running step counts down', () => {
    expect(estimateEta(10, 2, 6)).toBe(20);
    expect(estimateEta(10, 2, 6, 3)).toBe(17);
    expect(estimateEta(10, 2, 6, 30)).toBe(15); // the running step's share is used up, never negative
    expect(estimateEta(10, 4, 6, 0, 2)).toBe(10); // two of the four took no time
    expect(estimateEta(0, 3, 6, 0, 0)).toBeUndefined(); // only up-to-date steps so far: no estimate
    expect(estimateEta(10, 6, 6)).toBe(0);
  });
});

describe('progress file and console', () => {
  it('count the same steps: the file, the live line and the "still running" line say the same k/n', () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'performance'] });
    const target = mkdtempSync(path.join(tmpdir(), 'xp-progress-'));
    dirs.push(target);
    const writes: string[] = [];
    const piped: BuildEvent[] = [];
    const console = buildReporter({ isTTY: true, columns: 120, write: (s) => void writes.push(s) });
    const report = trackBuildProgress(target, (e) => { console(e); piped.push(e); }, { lineEverySeconds: 1 });
    // a project-level model, two partitions' models, then per experiment two analyses and the memo
    report({ type: 'plan', steps: [step('all_totals', null), step('a'), step('b'), step('a', 'exp_b')], experiments: ['exp_a', 'exp_b'], analyses: ['ab', 'srm'], memo: true });
    expect(readProgress(target, 'exp_a')).toMatchObject({ done: 0, total: 10, step: 0 });
    report({ type: 'step-start', experimentId: null, node: 'all_totals', stage: 'ingest' });
    report({ type: 'step-end', result: ok('all_totals', null) });
    report({ type: 'step-start', experimentId: 'exp_a', node: 'a', stage: 'ingest' });
    expect(liveCount(writes)).toBe('2/10');
    expect(readProgress(target, 'exp_a')).toMatchObject({ done: 1, total: 10, step: 2, phase: 'a' });
    report({ type: 'step-end', result: ok('a') });
    report({ type: 'step-end', result: { ...ok('b'), status: 'skipped', reason: 'fresh', rows: undefined, seconds: 0 } });
    report({ type: 'step-start', experimentId: 'exp_b', node: 'a', stage: 'ingest' });
    report({ type: 'step-end', result: ok('a', 'exp_b') });
    report({ type: 'step-start', experimentId: 'exp_a', node: 'analysis:ab', stage: 'ab', label: 'analysis ab' });
    vi.advanceTimersByTime(2000); // the file is refreshed every second
    expect(liveCount(writes)).toBe('5/10');
    const file = readProgress(target, 'exp_a')!;
    expect(file).toMatchObject({ done: 4, total: 10, step: 5, phase: 'analysis ab', stage: 'ab', rows: 300 });
    // the ETA of the file and of the console: 2 s per step that ran (the fresh one took
    // none), 6 steps left, the running one 2 s in: 5 × 2 s + 0
    expect(file.etaSeconds).toBeCloseTo(10, 5);
    expect(writes.at(-1)).toContain('ETA 10.0s');
    const still = piped.filter((e) => e.type === 'phase' && e.phase.startsWith('still running'));
    expect(still).toEqual([
      { type: 'phase', experimentId: 'exp_a', phase: 'still running analysis ab', detail: '1s; step 5/10; ETA 11s' },
      { type: 'phase', experimentId: 'exp_a', phase: 'still running analysis ab', detail: '2s; step 5/10; ETA 10s' },
    ]);
    stopProgress(report);
  });

  let p: TempProject | undefined;
  afterEach(() => p?.remove());

  it('on a real build: at every step start the progress file shows the live line\'s k/n; the piped lines, the plan and the summary count the same', async () => {
    p = await miniProject();
    const project = await loadProject('configs/dev.yaml', p.root);
    const writes: string[] = [];
    let piped = '';
    const tty = buildReporter({ isTTY: true, columns: 200, write: (s) => void writes.push(s) });
    const plain = buildReporter({ write: (s) => void (piped += s) });
    const seen: { console?: string; file?: string }[] = [];
    const outcome = await runBuild(project, {
      select: 'all',
      reporter: (e) => {
        tty(e);
        plain(e);
        if (e.type === 'step-start' && e.experimentId) {
          const f = readProgress(path.join(p!.root, 'target'), e.experimentId);
          seen.push({ console: liveCount(writes), file: f && `${f.step}/${f.total}` });
        }
      },
    });
    expect(outcome.status).toBe('success');
    expect(seen.length).toBeGreaterThan(3);
    for (const s of seen) expect(s.file).toBe(s.console);
    const n = Number(/\((\d+) steps\)$/m.exec(piped)?.[1]);
    expect(seen.every((s) => s.console!.endsWith(`/${n}`))).toBe(true);
    const numbered = piped.split('\n').filter((l) => /^\s*\d+(-\d+)?\/\d+ /.test(l));
    expect(numbered.at(-1)).toMatch(new RegExp(`^(\\d+-)?${n}/${n} `));
    expect(outcome.results.filter((r) => r.reason !== 'ephemeral')).toHaveLength(n);
  });
});
