/** The experiments whose ledger status is `running` (what `xp run` builds each day), sorted. */
import type { LedgerEvent } from '../ledger/events.ts';
import { foldEvents, type ExperimentState } from '../ledger/fold.ts';
import { withLedgerRead } from '../ledger/open.ts';
import { hasLedger, readEvents } from '../ledger/store.ts';
import type { Project } from './load-project.ts';
import { lastRebuildAt, scheduleDue } from './schedule-due.ts';

export async function runningExperiments(project: Project): Promise<string[]> {
  return withLedgerRead(project.config, async (db) => {
    if (!db || !(await hasLedger(db))) return [];
    const events = await readEvents(db);
    return [...events].filter(([id, list]) => foldEvents(id, list).status === 'running').map(([id]) => id).sort();
  });
}

/** The ledger states of the experiments named (those without events are left out). */
export async function ledgerStatesOf(project: Project, ids: readonly string[]): Promise<ExperimentState[]> {
  return withLedgerRead(project.config, async (db) => {
    if (!db || !(await hasLedger(db))) return [];
    const events = await readEvents(db);
    return ids.filter((id) => events.has(id)).map((id) => foldEvents(id, events.get(id)!));
  });
}

/** Of the experiments named, those with a `schedule:` that is due at `now`, each with why (src/runner/schedule-due.ts). */
export async function dueBySchedule(project: Project, ids: readonly string[], now: Date): Promise<Map<string, string>> {
  const scheduled = project.config.experiments.filter((e) => e.schedule && ids.includes(e.id));
  if (!scheduled.length) return new Map();
  return withLedgerRead(project.config, async (db) => {
    const events = db && (await hasLedger(db)) ? await readEvents(db) : new Map<string, LedgerEvent[]>();
    const due = new Map<string, string>();
    for (const e of scheduled) {
      const d = scheduleDue(e.schedule!.every, lastRebuildAt(events.get(e.id) ?? []), now);
      if (d.due) due.set(e.id, d.reason);
    }
    return due;
  });
}
