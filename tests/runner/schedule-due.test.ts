/** `schedule: { every }`: the cadence, the last rebuild from the ledger, and when one is due (src/runner/schedule-due.ts). */
import { describe, expect, it } from 'vitest';
import type { LedgerEvent } from '../../src/ledger/events.ts';
import { cadenceMs, lastRebuildAt, scheduleDue } from '../../src/runner/schedule-due.ts';

let seq = 0;
const finished = (at: string, status: 'success' | 'error', built: number): LedgerEvent => ({
  seq: ++seq, experimentId: 'exp_a', at, prevHash: 'p', hash: `h${seq}`, kind: 'build_finished',
  payload: { runId: `r${seq}`, status, seconds: 1, built, fresh: 0, skipped: 0, failed: status === 'error' ? 1 : 0 },
});

describe('cadenceMs', () => {
  it('reads minutes, hours and days', () => {
    expect(cadenceMs('30m')).toBe(30 * 60_000);
    expect(cadenceMs('6h')).toBe(6 * 3_600_000);
    expect(cadenceMs('2d')).toBe(2 * 86_400_000);
    expect(() => cadenceMs('1w')).toThrow(/not a cadence/);
  });
});

describe('lastRebuildAt', () => {
  it('is the last successful build that built something: failed and no-op builds do not count', () => {
    const events = [
      finished('2026-03-01T07:00:00Z', 'success', 12),
      finished('2026-03-02T07:00:00Z', 'success', 0), // nothing changed: a no-op
      finished('2026-03-03T07:00:00Z', 'error', 3),
    ];
    expect(lastRebuildAt(events)).toBe('2026-03-01T07:00:00Z');
    expect(lastRebuildAt([...events, finished('2026-03-04T07:00:00Z', 'success', 1)])).toBe('2026-03-04T07:00:00Z');
    expect(lastRebuildAt([])).toBeUndefined();
  });
});

describe('scheduleDue', () => {
  const last = '2026-03-01T07:00:00.000Z';
  it('is due once the cadence has passed since the last rebuild, not before', () => {
    expect(scheduleDue('1d', last, new Date('2026-03-02T06:59:59Z'))).toEqual({ due: false, nextAt: '2026-03-02T07:00:00.000Z' });
    expect(scheduleDue('1d', last, new Date('2026-03-02T07:00:00Z'))).toEqual({ due: true, reason: `due by its schedule (every 1d): last rebuilt ${last}` });
    expect(scheduleDue('6h', last, new Date('2026-03-01T12:59:00Z')).due).toBe(false);
    expect(scheduleDue('6h', last, new Date('2026-03-01T13:00:00Z')).due).toBe(true);
  });
  it('is due when it was never rebuilt', () => {
    expect(scheduleDue('1d', undefined, new Date('2026-03-01T00:00:00Z'))).toEqual({ due: true, reason: 'due by its schedule (every 1d): never rebuilt' });
  });
});
