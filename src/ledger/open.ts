/**
 * How the ledger commands reach the state (src/state): reads open it read-only (and say
 * so when a build holds an embedded one); writes take the experiments' locks first, then
 * open it read-write and migrate it.
 *
 * With the state in PostgreSQL the commands get a connection bound to it: reads over a
 * warehouse opened only if they query it (LazyWarehouse), writes over a scratch in-memory
 * DuckDB (they read Parquet exports at most). Neither waits for a build holding the
 * warehouse.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { XpError } from '../core/errors.ts';
import { openDb, type Db } from '../engine/connection.ts';
import type { ProjectConfig } from '../project/types.ts';
import { withState } from '../state/bind.ts';
import { LazyWarehouse } from '../state/lazy-warehouse.ts';
import { openState, stateLocation } from '../state/open.ts';
import { acquireExperimentLocks } from './lock.ts';

type LedgerConfig = Pick<ProjectConfig, 'root' | 'warehouse' | 'target_dir' | 'file' | 'state'>;

export function projectPaths(config: Pick<ProjectConfig, 'root' | 'warehouse' | 'target_dir'>): { warehouse: string; target: string } {
  return { warehouse: path.resolve(config.root, config.warehouse), target: path.resolve(config.root, config.target_dir) };
}

/** `fn(undefined)` when there is no embedded state yet; WAREHOUSE_LOCKED and STATE_UNAVAILABLE propagate. */
export async function withLedgerRead<T>(config: LedgerConfig, fn: (db: Db | undefined) => Promise<T>): Promise<T> {
  const { warehouse } = projectPaths(config);
  if (stateLocation(config).backend === 'embedded') {
    if (!existsSync(warehouse)) return fn(undefined);
    const db = await openDb(warehouse, { readOnly: true });
    try {
      await openState(config, { warehouse: db, mode: 'read' });
      return await fn(db);
    } finally {
      db.close();
    }
  }
  const state = await openState(config, { mode: 'read' });
  const lazy = new LazyWarehouse(warehouse, () => (existsSync(warehouse) ? openDb(warehouse, { readOnly: true }) : openDb(':memory:')));
  try {
    return await fn(withState(lazy, state));
  } finally {
    lazy.close();
    await state.close();
  }
}

export async function withLedgerWrite<T>(
  config: LedgerConfig,
  experimentIds: readonly string[],
  command: string,
  fn: (db: Db) => Promise<T>,
  note?: (message: string) => void,
): Promise<T> {
  const { warehouse, target } = projectPaths(config);
  const locks = acquireExperimentLocks(target, experimentIds, command, note);
  try {
    if (stateLocation(config).backend === 'embedded') {
      const db = await openDb(warehouse);
      try {
        await openState(config, { warehouse: db, mode: 'write' });
        return await fn(db);
      } finally {
        db.close();
      }
    }
    const state = await openState(config, { mode: 'write' });
    try {
      const scratch = await openDb(':memory:');
      try {
        return await fn(withState(scratch, state));
      } finally {
        scratch.close();
      }
    } finally {
      await state.close();
    }
  } finally {
    locks.release();
  }
}

export function isWarehouseLocked(err: unknown): err is XpError {
  return err instanceof XpError && err.code === 'WAREHOUSE_LOCKED';
}
