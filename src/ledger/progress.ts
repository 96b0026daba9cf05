/**
 * A running build's progress, per experiment, in `target/progress/<id>.json` (rewritten
 * atomically: temp file + rename). Another process cannot open the warehouse while a
 * build holds it, so this file is how `xp status` sees a running build's stage and ETA.
 */
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import type { BuildEvent, Reporter } from '../core/events.ts';

export interface BuildProgress {
  readonly experimentId: string;
  readonly pid: number;
  readonly host: string;
  readonly command: string;
  readonly startedAt: string;
  readonly updatedAt: string;
  /** what runs now: a model, `analysis <plugin>`, `stage inputs` */
  readonly phase: string;
  readonly stage?: string;
  readonly done: number;
  readonly total: number;
  readonly rows: number;
  readonly elapsedSeconds: number;
  /** from the mean time per finished step; absent before the first one */
  readonly etaSeconds?: number;
}

export function progressPath(targetDir: string, experimentId: string): string {
  return path.join(targetDir, 'progress', `${experimentId}.json`);
}

export function writeProgress(targetDir: string, p: BuildProgress): void {
  const file = progressPath(targetDir, p.experimentId);
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(p, null, 2) + '\n');
  renameSync(tmp, file);
}

export function readProgress(targetDir: string, experimentId: string): BuildProgress | undefined {
  try {
    return JSON.parse(readFileSync(progressPath(targetDir, experimentId), 'utf8')) as BuildProgress;
  } catch {
    return undefined;
  }
}

export function clearProgress(targetDir: string, experimentId: string): void {
  rmSync(progressPath(targetDir, experimentId), { force: true });
}

/** ETA from the mean time per step done so far. Pure. */
export function estimateEta(elapsedSeconds: number, done: number, total: number): number | undefined {
  if (done <= 0 || total <= done) return done > 0 ? 0 : undefined;
  return (elapsedSeconds / done) * (total - done);
}

interface Tracked {
  readonly started: number;
  readonly startedAt: string;
  total: number;
  done: number;
  rows: number;
  phase: string;
  stage?: string;
}

export interface ProgressOptions {
  readonly dryRun?: boolean;
  readonly command?: string;
  /** analysis plugins run per experiment after its models */
  readonly plugins: number;
  /**
   * Seconds between "still running" lines while one step runs long; default 30 when
   * stdout is not a terminal (a terminal has the live bar), else none.
   * `XP_PROGRESS_LINE_SECONDS` overrides.
   */
  readonly lineEverySeconds?: number;
}

function lineInterval(opts: ProgressOptions): number | undefined {
  const env = Number(process.env['XP_PROGRESS_LINE_SECONDS']);
  if (Number.isFinite(env) && env > 0) return env;
  return opts.lineEverySeconds ?? (process.stdout.isTTY ? undefined : 30);
}

/**
 * Wrap the build's reporter so every event also updates the progress files. Dry runs
 * write nothing. The files are removed when the build's locks are released.
 */
export function trackBuildProgress(targetDir: string, inner: Reporter, opts: ProgressOptions): Reporter {
  if (opts.dryRun) return inner;
  const byExperiment = new Map<string, Tracked>();
  const command = opts.command ?? 'xp build';
  const save = (id: string, t: Tracked): void => {
    const elapsed = (performance.now() - t.started) / 1000;
    const eta = estimateEta(elapsed, t.done, t.total);
    try {
      writeProgress(targetDir, {
        experimentId: id, pid: process.pid, host: hostname(), command, startedAt: t.startedAt, updatedAt: new Date().toISOString(),
        phase: t.phase, ...(t.stage ? { stage: t.stage } : {}), done: t.done, total: t.total, rows: t.rows,
        elapsedSeconds: elapsed, ...(eta === undefined ? {} : { etaSeconds: eta }),
      });
    } catch {
      // progress is best effort: never fail a build over it
    }
  };
  const trackedOf = (id: string): Tracked => {
    let t = byExperiment.get(id);
    if (!t) {
      t = { started: performance.now(), startedAt: new Date().toISOString(), total: opts.plugins, done: 0, rows: 0, phase: 'starting' };
      byExperiment.set(id, t);
    }
    return t;
  };
  // While a step runs: refresh the file (elapsed, ETA) and, off a terminal, print a line now and then.
  const every = lineInterval(opts);
  let timer: NodeJS.Timeout | undefined;
  const stopTimer = (): void => { if (timer) clearInterval(timer); timer = undefined; };
  const startTimer = (id: string): void => {
    stopTimer();
    const since = performance.now();
    let lastLine = since;
    timer = setInterval(() => {
      const t = byExperiment.get(id);
      if (!t) return;
      save(id, t);
      if (every !== undefined && performance.now() - lastLine >= every * 1000) {
        lastLine = performance.now();
        const elapsed = (performance.now() - t.started) / 1000;
        const eta = estimateEta(elapsed, t.done, t.total);
        inner({ type: 'phase', experimentId: id, phase: `still running ${t.phase}`,
          detail: `${Math.round((performance.now() - since) / 1000)}s; step ${t.done + 1}/${t.total}${eta === undefined ? '' : `; ETA ${Math.round(eta)}s`}` });
      }
    }, 1000);
    timer.unref();
  };
  const update = (event: BuildEvent): void => {
    switch (event.type) {
      case 'plan':
        for (const s of event.steps) if (s.experimentId) trackedOf(s.experimentId).total++;
        for (const [id, t] of byExperiment) { t.phase = 'planned'; save(id, t); }
        break;
      case 'phase': {
        const t = trackedOf(event.experimentId);
        t.phase = event.detail ? `${event.phase} (${event.detail})` : event.phase;
        save(event.experimentId, t);
        if (event.phase.startsWith('analysis ')) startTimer(event.experimentId);
        break;
      }
      case 'step-start': {
        if (!event.step.experimentId) break;
        const t = trackedOf(event.step.experimentId);
        t.phase = event.step.model;
        t.stage = event.step.stage;
        save(event.step.experimentId, t);
        startTimer(event.step.experimentId);
        break;
      }
      case 'step-end': {
        stopTimer();
        const id = event.result.experimentId;
        if (!id) break;
        const t = trackedOf(id);
        t.done++;
        t.rows += event.result.rows ?? 0;
        t.phase = `${event.result.node} ${event.result.status}`;
        t.stage = event.result.stage;
        save(id, t);
        break;
      }
      case 'warning':
        break;
    }
  };
  const tracked: Reporter & { stopProgress?: () => void } = (event) => {
    update(event);
    inner(event);
  };
  tracked.stopProgress = stopTimer;
  return tracked;
}

/** Stop the timer of a reporter made by trackBuildProgress (a no-op for any other). */
export function stopProgress(reporter: Reporter): void {
  (reporter as { stopProgress?: () => void }).stopProgress?.();
}
