/** The experiments whose ledger status is `running` (what `xp run` builds each day), sorted. */
import { foldEvents } from '../ledger/fold.ts';
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
