/**
 * `schedule: { every: 6h }` on an experiment: `xp run` rebuilds it (every partition) when its
 * last build that rebuilt something is older than the cadence, even when no input changed —
 * for sources the fingerprint cannot see (a view over a live table, a metric of "yesterday").
 * A no-op build (everything up to date) does not count, or an hourly `xp run` would keep a
 * daily cadence from ever falling due.
 */
import type { LedgerEvent } from '../ledger/events.ts';

const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** `30m`, `6h`, `1d` in milliseconds (the schema accepts only `<whole number><m|h|d>`). */
export function cadenceMs(every: string): number {
  const m = /^(\d+)([mhd])$/.exec(every);
  if (!m) throw new Error(`not a cadence: ${every}`); // the config schema refuses it first
  return Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS];
}

/** When the experiment's last successful build that built at least one partition finished (ISO), if ever. */
export function lastRebuildAt(events: readonly LedgerEvent[]): string | undefined {
  for (let i = events.length - 1; i >= 0; i--) {
    const e = events[i]!;
    if (e.kind === 'build_finished' && e.payload.status === 'success' && e.payload.built > 0) return e.at;
  }
  return undefined;
}

export type Dueness =
  | { readonly due: true; readonly reason: string }
  | { readonly due: false; readonly nextAt: string };

/** Due when it was never rebuilt, or its last rebuild is at least `every` before `now`. */
export function scheduleDue(every: string, lastAt: string | undefined, now: Date): Dueness {
  if (lastAt === undefined) return { due: true, reason: `due by its schedule (every ${every}): never rebuilt` };
  const next = Date.parse(lastAt) + cadenceMs(every);
  if (now.getTime() >= next) return { due: true, reason: `due by its schedule (every ${every}): last rebuilt ${lastAt}` };
  return { due: false, nextAt: new Date(next).toISOString() };
}
