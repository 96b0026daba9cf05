/**
 * After `xp state migrate` moved a store's history elsewhere, the old store is emptied and
 * keeps one row saying where it went. Opening it again (with the old config) is refused
 * with STATE_MOVED: a build there would start a second, empty history of experiments that
 * already have one. A move back into it clears the row.
 */
import { XpError } from '../core/errors.ts';
import type { StateStore } from './state.ts';
import type { StateMovesTable } from './tables.ts';

export async function movedTo(state: StateStore): Promise<StateMovesTable | undefined> {
  if (!(await state.hasTable('state_moves'))) return undefined;
  return state.db.selectFrom('xp.state_moves').selectAll().orderBy('moved_at', 'desc').limit(1).executeTakeFirst();
}

export function movedError(state: StateStore, move: StateMovesTable): XpError {
  return new XpError('STATE_MOVED', `the state at ${state.where} was moved to ${move.moved_to} at ${move.moved_at} (xp state migrate); this config's store is no longer used`, {
    location: { object: state.where },
    hint: `use the config whose state: block points to ${move.moved_to}; to use this store again, move the history back with \`xp state migrate --to-config <this config>\` run with that config`,
  });
}

export async function assertNotMoved(state: StateStore): Promise<void> {
  const move = await movedTo(state);
  if (move) throw movedError(state, move);
}

export async function recordMove(state: StateStore, move: StateMovesTable): Promise<void> {
  await state.db.insertInto('xp.state_moves').values(move).execute();
}

export async function clearMoves(state: StateStore): Promise<void> {
  await state.db.deleteFrom('xp.state_moves').execute();
}
