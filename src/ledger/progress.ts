/**
 * A running build's progress, per experiment, in `target/progress/<id>.json` (rewritten
 * atomically: temp file + rename). Another process cannot open the warehouse while a
 * build holds it, so this file is how `xp status` sees a running build's stage and ETA.
 */
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { NO_STEPS, tallySteps, type BuildEvent, type Reporter, type StepTally } from '../core/events.ts';

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
  /** the build's steps finished and in all, counted as its console counts them */
  readonly done: number;
  readonly total: number;
  /** the k of the console's k/n: the running step's number (done + 1), or done between steps */
  readonly step: number;
  /** rows the finished steps wrote */
  readonly rows: number;
  /** since this experiment's first event of the build */
  readonly elapsedSeconds: number;
  /** from the mean time per finished step (estimateEta); absent before the first one */
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


/**
 * Seconds left: the mean time of the finished steps that took any (`ran`, default all
 * `done`: an up-to-date step takes none and says nothing about the others) for each step
 * not finished, less what the running step has had so far (never below zero for it).
 * Pure. Within a step the estimate only falls: the running step's share shrinks as it
 * runs, until it is used up.
 */
export function estimateEta(finishedSeconds: number, done: number, total: number, runningSeconds = 0, ran = done): number | undefined {
  if (done > 0 && total <= done) return 0;
  if (done <= 0 || ran <= 0) return undefined;
  const mean = finishedSeconds / ran;
  return mean * (total - done - 1) + Math.max(mean - runningSeconds, 0);
}

/** estimateEta over a tally, with the running step's seconds so far. */
export function tallyEta(t: StepTally, runningSeconds: number): number | undefined {
  return estimateEta(t.seconds, t.done, t.total, runningSeconds, t.ran);
}

/** Rows per second of the finished steps (the running one is not in it yet). Pure. */
export function rowRate(t: Pick<StepTally, 'rows' | 'seconds'>): number | undefined {
  return t.rows > 0 && t.seconds > 0 ? t.rows / t.seconds : undefined;
}

interface Tracked {
  readonly started: number;
  readonly startedAt: string;
  phase: string;
  stage?: string;
}

export interface ProgressOptions {
  readonly dryRun?: boolean;
  readonly command?: string;
  /** unused: the plan event names what runs after the models */
  readonly plugins?: number;
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
 * write nothing. The files are removed when the build's locks are released. `done` and
 * `total` count the build's steps as the console does (tallySteps, src/core/events.ts).
 */
export function trackBuildProgress(targetDir: string, inner: Reporter, opts: ProgressOptions): Reporter {
  if (opts.dryRun) return inner;
  const byExperiment = new Map<string, Tracked>();
  const command = opts.command ?? 'xp build';
  let tally = NO_STEPS;
  let running: { readonly id: string; readonly since: number } | undefined;
  const runningSeconds = (id: string): number => (running?.id === id ? (performance.now() - running.since) / 1000 : 0);
  const etaOf = (id: string): number | undefined => tallyEta(tally, runningSeconds(id));
  let lastSave = 0;
  const save = (id: string, t: Tracked): void => {
    const eta = etaOf(id);
    lastSave = performance.now();
    try {
      writeProgress(targetDir, {
        experimentId: id, pid: process.pid, host: hostname(), command, startedAt: t.startedAt, updatedAt: new Date().toISOString(),
        phase: t.phase, ...(t.stage ? { stage: t.stage } : {}), done: tally.done, total: tally.total,
        step: tally.done + (running ? 1 : 0), rows: tally.rows,
        elapsedSeconds: (performance.now() - t.started) / 1000, ...(eta === undefined ? {} : { etaSeconds: eta }),
      });
    } catch {
      // progress is best effort: never fail a build over it
    }
  };
  const trackedOf = (id: string): Tracked => {
    let t = byExperiment.get(id);
    if (!t) {
      t = { started: performance.now(), startedAt: new Date().toISOString(), phase: 'starting' };
      byExperiment.set(id, t);
    }
    return t;
  };
  // While a step runs: refresh the file (elapsed, ETA) and, off a terminal, print a line now and then.
  const every = lineInterval(opts);
  let timer: NodeJS.Timeout | undefined;
  const stopTimer = (): void => {
    if (timer) clearInterval(timer);
    timer = undefined;
    running = undefined;
  };
  const startTimer = (id: string): void => {
    stopTimer();
    const since = performance.now();
    running = { id, since };
    let lastLine = since;
    timer = setInterval(() => {
      const t = byExperiment.get(id);
      if (!t) return;
      save(id, t);
      if (every !== undefined && performance.now() - lastLine >= every * 1000) {
        lastLine = performance.now();
        const eta = etaOf(id);
        inner({ type: 'phase', experimentId: id, phase: `still running ${t.phase}`,
          detail: `${Math.round((performance.now() - since) / 1000)}s; step ${tally.done + 1}/${tally.total}${eta === undefined ? '' : `; ETA ${Math.round(eta)}s`}` });
      }
    }, 1000);
    timer.unref();
  };
  const update = (event: BuildEvent): void => {
    tally = tallySteps(tally, event);
    switch (event.type) {
      case 'plan':
        for (const id of event.experiments) trackedOf(id);
        for (const [id, t] of byExperiment) { t.phase = 'planned'; save(id, t); }
        break;
      case 'phase': {
        const t = trackedOf(event.experimentId);
        t.phase = event.detail ? `${event.phase} (${event.detail})` : event.phase;
        save(event.experimentId, t);
        break;
      }
      case 'step-start': {
        if (!event.experimentId) break;
        const t = trackedOf(event.experimentId);
        t.phase = event.label ?? event.node;
        t.stage = event.stage;
        startTimer(event.experimentId);
        save(event.experimentId, t);
        break;
      }
      case 'step-end': {
        stopTimer();
        const id = event.result.experimentId;
        if (!id) break;
        const t = trackedOf(id);
        t.phase = `${event.result.node} ${event.result.status}`;
        t.stage = event.result.stage;
        // an up-to-date step took no time: rewriting a file for each of them (4,800 in a
        // no-op build of 300 experiments) costs seconds and tells `xp status` nothing new
        if (event.result.status === 'skipped' && performance.now() - lastSave < 250) break;
        save(id, t);
        break;
      }
      case 'warning':
      case 'dq':
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
