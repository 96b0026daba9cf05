/** A forger with write access to the state, for the signature tests. */
import { canonicalJson, eventHash } from '../../src/ledger/canonical.ts';
import { readEvents } from '../../src/ledger/store.ts';
import { stateOf, type StateSource } from '../../src/state/bind.ts';

/**
 * What a forger with write access to the state does: edit event `seq`'s payload, then
 * recompute that hash and every later one (relinking prev_hash) and move the head, so the
 * plain hash chain verifies. The signatures are left as they were: the forger has no key.
 */
export async function forgeAndRechain(source: StateSource, seq: number, payload: unknown, experimentId = 'exp_a'): Promise<void> {
  const state = stateOf(source);
  const events = (await readEvents(state)).get(experimentId)!;
  let prevHash = '';
  for (const e of events) {
    const p = e.seq === seq ? payload : e.payload;
    const hash = eventHash({ prevHash, seq: e.seq, experimentId: e.experimentId, at: e.at, kind: e.kind, payload: p, actor: e.actor });
    await state.db.updateTable('xp.ledger').set({ payload: canonicalJson(p), prev_hash: prevHash, hash })
      .where('experiment_id', '=', experimentId).where('seq', '=', e.seq).execute();
    prevHash = hash;
  }
  await state.db.updateTable('xp.ledger_heads').set({ hash: prevHash }).where('experiment_id', '=', experimentId).execute();
}
