/** `ctx.ledger`: the looks API of src/ledger/looks.ts over the build's warehouse, bound to one experiment. */
import type { Db } from '../engine/connection.ts';
import { foldEvents, type ExperimentState } from '../ledger/fold.ts';
import { lookContext, recordDecision, recordLook, type StateReader } from '../ledger/looks.ts';
import type { LedgerEvent } from '../ledger/events.ts';
import { readExperimentEvents } from '../ledger/store.ts';
import type { PluginLedger } from './plugin.ts';

/**
 * One experiment's ledger events, read once for all the plugins of an analysis stage (the
 * sequential and decision plugins each ask for the folded state, and the read grows with
 * the experiment's history), and read again after anything is appended through it. Each
 * call folds a copy, so what one plugin does to the state it gets never reaches another.
 * Only the stage's plugins append to the experiment's ledger while it runs. The memo stage
 * (src/report/memo-stage.ts) shares one the same way between its inputs and recordMemo.
 */
export class LedgerStateCache {
  #events: Promise<LedgerEvent[]> | undefined;

  readonly read: StateReader = async (db, experimentId): Promise<ExperimentState> => {
    const events = this.#events ??= readExperimentEvents(db, experimentId);
    events.catch(() => {
      if (this.#events === events) this.#events = undefined;
    });
    return foldEvents(experimentId, structuredClone(await events));
  };

  /** after an append (or an attempt): the next read goes to the store */
  clear(): void {
    this.#events = undefined;
  }
}

export function pluginLedger(db: Db, experimentId: string, cache?: LedgerStateCache): PluginLedger {
  const read = cache?.read;
  return {
    lookContext: () => lookContext(db, experimentId, read),
    recordLook: async (look) => {
      try {
        const r = await recordLook(db, experimentId, look, read);
        if (r.recorded) cache?.clear();
        return r;
      } catch (err) {
        cache?.clear();
        throw err;
      }
    },
    recordDecision: async (decision) => {
      try {
        await recordDecision(db, experimentId, decision, read);
      } finally {
        cache?.clear();
      }
    },
  };
}
