/** `ctx.ledger`: the looks API of src/ledger/looks.ts over the build's warehouse, bound to one experiment. */
import type { Db } from '../engine/connection.ts';
import { lookContext, recordDecision, recordLook } from '../ledger/looks.ts';
import type { PluginLedger } from './plugin.ts';

export function pluginLedger(db: Db, experimentId: string): PluginLedger {
  return {
    lookContext: () => lookContext(db, experimentId),
    recordLook: (look) => recordLook(db, experimentId, look),
    recordDecision: (decision) => recordDecision(db, experimentId, decision),
  };
}
