/**
 * Build progress for people. One line per step that ran (or was blocked), numbered k/n
 * over the build's steps (tallySteps, src/core/events.ts: the same count the progress
 * files and the summary use); consecutive steps that had nothing to do share one line,
 * so the numbers have no gaps. WARN / FAIL lines for the data-quality checks that did
 * not pass. On a terminal, a live line for the running step (k/n, elapsed, rows, rate
 * and ETA of the finished steps) or long phase, fitted to the terminal's width and
 * redrawn in place.
 */
import { NO_STEPS, tallySteps, type BuildEvent, type Reporter } from '../../core/events.ts';
import type { StepResult } from '../../core/results.ts';
import { describeStep } from '../../plan/plan.ts';
import { rowRate, tallyEta } from '../../ledger/progress.ts';
import { dqLine, isQuiet, phaseText, planLine, quietRunLine, resultLine, type QuietRun } from './build-lines.ts';
import { CLEAR_LINE, phaseLine, stepLine, terminalWidth } from './live-line.ts';

export { buildSummary } from './build-lines.ts';

export interface Out {
  write(text: string): void;
  readonly isTTY?: boolean;
  /** the terminal's width, as process.stdout.columns gives it (read at every redraw) */
  readonly columns?: number;
}

export interface ReporterOptions {
  /** print every planned step and every skipped step on its own line */
  readonly verbose?: boolean;
}

type Live =
  | { readonly kind: 'step'; readonly name: string; readonly since: number }
  | { readonly kind: 'phase'; readonly text: string; readonly since: number };

export function buildReporter(out: Out, opts: ReporterOptions = {}): Reporter {
  const tty = !!out.isTTY;
  const now = (): number => performance.now();
  let tally = NO_STEPS;
  let live: Live | undefined;
  let drawn = false;
  let timer: NodeJS.Timeout | undefined;
  let quiet: QuietRun | undefined;

  const draw = (): void => {
    if (!tty || !live) return;
    // one column spare: a line that fills the last column wraps on some terminals
    const width = terminalWidth(out.columns) - 1;
    const elapsed = (now() - live.since) / 1000;
    const line = live.kind === 'phase' ? phaseLine(live.text, elapsed, width) : stepLine({
      step: tally.done + 1, total: tally.total, name: live.name, elapsed, rows: tally.rows,
      rate: rowRate(tally), eta: tallyEta(tally, elapsed),
    }, width);
    out.write(CLEAR_LINE + line);
    drawn = true;
  };
  const setLive = (next: Live | undefined): void => {
    live = next;
    if (timer) clearInterval(timer);
    timer = undefined;
    if (!tty) return;
    if (!live) {
      if (drawn) out.write(CLEAR_LINE);
      drawn = false;
      return;
    }
    draw();
    timer = setInterval(draw, 250);
    timer.unref();
  };
  const flushQuiet = (): void => {
    if (!quiet) return;
    const run = quiet;
    quiet = undefined;
    print(quietRunLine(run, tally.total));
  };
  /** a permanent line: clear the live line, write, draw the live line again below it */
  function print(line: string): void {
    flushQuiet();
    if (drawn) out.write(CLEAR_LINE);
    drawn = false;
    out.write(`${line}\n`);
    draw();
  }
  const stepEnded = (r: StepResult, k: number): void => {
    if (opts.verbose || !isQuiet(r)) {
      print(resultLine(r, k, tally.total));
      return;
    }
    if (quiet && quiet.to === k - 1 && quiet.experimentId === r.experimentId && quiet.reason === r.reason) {
      quiet = { ...quiet, to: k, last: r.node };
    } else {
      flushQuiet();
      quiet = { from: k, to: k, experimentId: r.experimentId, reason: r.reason, first: r.node, last: r.node };
    }
    if (k >= tally.total) flushQuiet();
  };

  return (event: BuildEvent) => {
    const before = tally;
    tally = tallySteps(tally, event);
    // a long phase lasts until the next event
    if (live?.kind === 'phase') setLive(undefined);
    switch (event.type) {
      case 'plan':
        print(planLine(event));
        if (opts.verbose) for (const s of event.steps) print(`  ${describeStep(s)}`);
        break;
      case 'phase':
        if (event.ongoing && tty) {
          flushQuiet();
          setLive({ kind: 'phase', text: phaseText(event), since: now() });
        } else {
          print(phaseText(event));
        }
        break;
      case 'step-start':
        flushQuiet();
        setLive({ kind: 'step', name: `${event.experimentId ?? '(project)'} ${event.node}`, since: now() });
        break;
      case 'step-end':
        setLive(undefined);
        if (tally !== before) stepEnded(event.result, tally.done);
        break;
      case 'warning':
        print(`warning${event.experimentId ? ` ${event.experimentId}` : ''}: ${event.message}`);
        break;
      case 'dq':
        for (const f of event.findings) print(dqLine(event.experimentId, f));
        break;
    }
  };
}
