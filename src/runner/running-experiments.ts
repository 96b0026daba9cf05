/** The experiments whose ledger status is `running` (what `xp run` builds each day), sorted. */
import { foldEvents, type ExperimentState } from '../ledger/fold.ts';
import { withLedgerRead } from '../ledger/open.ts';
import { hasLedger, readEvents } from '../ledger/store.ts';
import type { Project } from './load-project.ts';

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
