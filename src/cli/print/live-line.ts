/**
 * The live status line a terminal shows while a step or a long phase runs, fitted to the
 * terminal: a line wider than the terminal wraps, and `\r` then returns only to the start
 * of its last row, so every redraw would leave the rows above it behind. Pure.
 */
import { fmtInt, fmtSeconds } from '../../core/format.ts';

/** The terminal's width; 80 when it says nothing (a pseudo-terminal without a size). */
export function terminalWidth(columns: number | undefined): number {
  return columns !== undefined && Number.isFinite(columns) && columns > 0 ? Math.floor(columns) : 80;
}

/** Clear the row the cursor is on and return to its start. */
export const CLEAR_LINE = '\r\x1b[2K';

const length = (s: string): number => [...s].length;

/** Cut `s` to at most `width` characters, marking the cut with an ellipsis. */
export function cut(s: string, width: number): string {
  const chars = [...s];
  if (chars.length <= width) return s;
  return width <= 0 ? '' : `${chars.slice(0, width - 1).join('')}…`;
}

export interface StepLine {
  /** 1-based number of the running step, and the build's step count */
  readonly step: number;
  readonly total: number;
  /** experiment (or "(project)") and node */
  readonly name: string;
  /** how long the running step has run */
  readonly elapsed: number;
  /** rows of the finished steps, their rate (rows/s) and the ETA, when known */
  readonly rows: number;
  readonly rate?: number;
  readonly eta?: number;
}

function bar(done: number, total: number, width: number): string {
  const filled = total > 0 ? Math.min(width, Math.round((done / total) * width)) : 0;
  return `[${'█'.repeat(filled)}${'░'.repeat(width - filled)}] `;
}

/**
 * The running step's line in at most `width` characters: the full line if it fits, else
 * with a shorter bar, without the rate, without the bar, without the rows, and last with
 * a shortened name. The step count, the name, the elapsed time and the ETA stay.
 */
export function stepLine(s: StepLine, width: number): string {
  const count = `${s.step}/${s.total} `;
  const time = ` · ${fmtSeconds(s.elapsed)}`;
  const eta = s.eta === undefined ? '' : ` · ETA ${fmtSeconds(s.eta)}`;
  const rows = s.rows > 0 ? ` · ${fmtInt(s.rows)} rows` : '';
  const rate = s.rate === undefined ? '' : ` · ${fmtInt(Math.round(s.rate))} rows/s`;
  const done = s.step - 1;
  const candidates = [
    bar(done, s.total, 20) + count + s.name + time + rows + rate + eta,
    bar(done, s.total, 10) + count + s.name + time + rows + rate + eta,
    bar(done, s.total, 10) + count + s.name + time + rows + eta,
    count + s.name + time + rows + eta,
    count + s.name + time + eta,
  ];
  const fits = candidates.find((c) => length(c) <= width);
  if (fits) return fits;
  const rest = count + time + eta;
  return cut(count + cut(s.name, Math.max(width - length(rest), 1)) + time + eta, width);
}

/** A long phase's line ("exp_a: generate (2,000,000 users) · 12.3s") in at most `width` characters. */
export function phaseLine(text: string, elapsed: number, width: number): string {
  const time = ` · ${fmtSeconds(elapsed)}`;
  return cut(cut(text, Math.max(width - length(time), 1)) + time, width);
}
