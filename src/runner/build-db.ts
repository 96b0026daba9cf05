/**
 * The connection a build writes through: its private scratch (src/engine/scratch), laid
 * out from the project and bound to the config's state.
 *
 * - Embedded state: the scratch carries a copy of schema `xp` and commits its new rows
 *   with the data they describe, in one warehouse transaction per stage.
 * - PostgreSQL: the state is opened (and migrated) first, so an unreachable server fails
 *   before anything is copied, and the experiments' advisory locks are taken (builds on
 *   other machines share this state); each stage's data commits to the warehouse, then its state
 *   to PostgreSQL (src/state/bind.ts: the state never claims data that did not commit).
 */
import type { Project } from '../workspace/project.ts';
import type { Db } from '../engine/connection.ts';
import { ScratchDb, type ScratchLayout, type TableScope } from '../engine/scratch/scratch-db.ts';
import { targetDir, warehousePath } from '../core/paths.ts';
import { withState } from '../state/bind.ts';
import { openState, stateLocation } from '../state/open.ts';
import type { HeldAdvisoryLocks } from '../state/postgres/advisory-locks.ts';

/** Which warehouse tables a build of this project reads, and which tables each recorded node writes. */
export function scratchLayout(project: Project): ScratchLayout {
  const tables = new Map<string, TableScope>();
  for (const name of project.dag.order) {
    const kind = project.dag.nodes.get(name)!.materialized;
    if (kind === 'partitioned') tables.set(name, 'partitioned');
    else if (kind === 'table') tables.set(name, 'whole');
    else if (kind === 'view') tables.set(name, 'view');
  }
  const writes = new Map(project.plugins.map((p) => [`analysis:${p.plugin.name}`, Object.keys(p.plugin.writes)]));
  for (const owned of writes.values()) for (const t of owned) if (!tables.has(t)) tables.set(t, 'partitioned');
  return { tables, tablesOf: (node) => writes.get(node) ?? (tables.has(node) ? [node] : []) };
}

export async function openBuildDb(project: Project, experimentIds: readonly string[], runId: string): Promise<Db> {
  const config = project.config;
  const loc = stateLocation(config);
  const base = { targetDir: targetDir(config), runId, experimentIds, layout: scratchLayout(project) };
  if (loc.backend === 'embedded') {
    return ScratchDb.open({
      ...base,
      warehouse: loc.warehouse,
      embeddedState: true,
      // the warehouse's own state, migrated (and refused if it was moved) before it is copied
      prepare: async (warehouse) => void (await openState(config, { warehouse, mode: 'write' })),
    });
  }
  const state = await openState(config, { mode: 'write' });
  let locks: HeldAdvisoryLocks | undefined;
  try {
    // builds on other machines share this state: exclude them per experiment (the file locks cover this machine only)
    const { lockExperimentsInPostgres } = await import('../state/postgres/advisory-locks.ts');
    locks = await lockExperimentsInPostgres(loc.target, experimentIds);
    const scratch = await ScratchDb.open({ ...base, warehouse: warehousePath(config), embeddedState: false, bind: (db) => withState(db, state) });
    const held = locks;
    return withState(scratch, state, () => {
      void held.release();
      void state.close().catch(() => undefined);
    });
  } catch (err) {
    await locks?.release();
    await state.close().catch(() => undefined);
    throw err;
  }
}
