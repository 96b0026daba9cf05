/**
 * Build progress for people: one line per model with rows and time; on a terminal a live
 * status line (step k of n, current model, elapsed, rows so far, rate, ETA) redrawn in
 * place; a summary at the end.
 */
import type { BuildEvent, Reporter } from '../../core/events.ts';
import { reasonText, type StepResult } from '../../core/results.ts';
import { describeStep } from '../../plan/plan.ts';
import { fmtInt, fmtSeconds } from '../../core/format.ts';
import { estimateEta } from '../../ledger/progress.ts';

export interface Out {
  write(text: string): void;
  readonly isTTY?: boolean;
}

function resultLine(r: StepResult, index: number, total: number): string {
  const mark = r.status === 'success' ? 'OK  ' : r.status === 'error' ? 'FAIL' : 'SKIP';
  const where = r.experimentId ?? '(project)';
  const detail =
    r.status === 'success' ? `${r.rows === undefined ? '' : `${fmtInt(r.rows)} rows `}in ${fmtSeconds(r.seconds)}`
    : r.status === 'error' ? `${r.code ?? 'ERROR'}: ${r.message ?? ''}${r.file ? `\n${' '.repeat(String(total).length * 2 + 7)}compiled SQL: ${r.file}` : ''}`
    : reasonText(r);
  return `${String(index + 1).padStart(String(total).length)}/${total} ${mark} ${where} ${r.node} ${detail}`;
}

export function buildReporter(out: Out, opts: { verbose?: boolean } = {}): Reporter {
  const tty = !!out.isTTY;
  let live = '';
  let timer: NodeJS.Timeout | undefined;
  let started = 0;
  // for the live line's rate and ETA: rows written and steps done since the first step
  let firstStart: number | undefined;
  let rowsDone = 0;
  let stepsDone = 0;
  let stepsTotal = 0;
  const clear = (): void => {
    if (tty && live) out.write('\r\x1b[2K');
    live = '';
  };
  const draw = (): void => {
    if (!tty || !live) return;
    const now = performance.now();
    const elapsed = (now - (firstStart ?? now)) / 1000;
    const rate = elapsed > 0 && rowsDone > 0 ? ` · ${fmtInt(Math.round(rowsDone / elapsed))} rows/s` : '';
    const eta = estimateEta(elapsed, stepsDone, stepsTotal);
    out.write(`\r\x1b[2K${live} ${fmtSeconds((now - started) / 1000)} · ${fmtInt(rowsDone)} rows${rate}${eta === undefined ? '' : ` · ETA ${fmtSeconds(eta)}`}`);
  };
  return (event: BuildEvent) => {
    switch (event.type) {
      case 'plan': {
        const build = event.steps.filter((s) => s.action === 'build').length;
        out.write(`plan: ${build} to build, ${event.steps.length - build} to skip\n`);
        if (opts.verbose) for (const s of event.steps) out.write(`  ${describeStep(s)}\n`);
        break;
      }
      case 'phase':
        clear();
        out.write(`${event.experimentId}: ${event.phase}${event.detail ? ` (${event.detail})` : ''}\n`);
        break;
      case 'step-start': {
        const bar = '█'.repeat(Math.round((event.index / event.total) * 20)).padEnd(20, '░');
        live = `[${bar}] ${event.index + 1}/${event.total} ${event.step.experimentId ?? ''} ${event.step.model}`;
        started = performance.now();
        firstStart ??= started;
        stepsTotal = event.total;
        if (tty) {
          draw();
          timer = setInterval(draw, 250);
          timer.unref();
        }
        break;
      }
      case 'step-end':
        if (timer) clearInterval(timer);
        timer = undefined;
        clear();
        rowsDone += event.result.rows ?? 0;
        stepsDone = event.index + 1;
        if (event.result.status !== 'skipped' || opts.verbose || event.result.reason === 'upstream-failed' || event.result.reason === 'upstream-skipped') {
          out.write(resultLine(event.result, event.index, event.total) + '\n');
        }
        break;
      case 'warning':
        clear();
        out.write(`warning${event.experimentId ? ` ${event.experimentId}` : ''}: ${event.message}\n`);
        break;
    }
  };
}

export function buildSummary(results: readonly StepResult[], seconds: number): string {
  const count = (s: StepResult['status']): number => results.filter((r) => r.status === s).length;
  const fresh = results.filter((r) => r.status === 'skipped' && r.reason === 'fresh').length;
  return `done in ${fmtSeconds(seconds)}: ${count('success')} built, ${fresh} up to date, ${count('skipped') - fresh} skipped, ${count('error')} failed`;
}
