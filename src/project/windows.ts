/**
 * An experiment's window as whole UTC days: [start, start + days). Pure day arithmetic for
 * the portfolio checks (layers, overlaps, scheduling), which compare windows, never clocks.
 */
const DAY_MS = 86_400_000;

export interface DayWindow {
  /** days since 1970-01-01 of the first day */
  readonly start: number;
  /** days since 1970-01-01 of the first day after the window */
  readonly end: number;
}

export function dayNumber(isoDate: string): number {
  return Math.round(Date.parse(`${isoDate}T00:00:00Z`) / DAY_MS);
}

export function isoDay(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

export function windowOf(e: { readonly start: string; readonly days: number }): DayWindow {
  const start = dayNumber(e.start);
  return { start, end: start + e.days };
}

/** Days both windows share (0 when they do not overlap). */
export function sharedDays(a: DayWindow, b: DayWindow): number {
  return Math.max(0, Math.min(a.end, b.end) - Math.max(a.start, b.start));
}
