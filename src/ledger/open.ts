/**
 * How the ledger commands reach the warehouse: reads open it read-only (and say so when a
 * build holds it); writes take the experiments' locks first, then open it read-write.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { XpError } from '../core/errors.ts';
import { openDb, type Db } from '../engine/connection.ts';
import type { ProjectConfig } from '../project/types.ts';
import { acquireExperimentLocks } from './lock.ts';
import { ensureLedgerTables } from './store.ts';

export function projectPaths(config: Pick<ProjectConfig, 'root' | 'warehouse' | 'target_dir'>): { warehouse: string; target: string } {
  return { warehouse: path.resolve(config.root, config.warehouse), target: path.resolve(config.root, config.target_dir) };
}

/** `fn(undefined)` when there is no warehouse yet; WAREHOUSE_LOCKED propagates. */
export async function withLedgerRead<T>(config: ProjectConfig, fn: (db: Db | undefined) => Promise<T>): Promise<T> {
  const { warehouse } = projectPaths(config);
  if (!existsSync(warehouse)) return fn(undefined);
  const db = await openDb(warehouse, { readOnly: true });
  try {
    return await fn(db);
  } finally {
    db.close();
  }
}

export async function withLedgerWrite<T>(
  config: ProjectConfig,
  experimentIds: readonly string[],
  command: string,
  fn: (db: Db) => Promise<T>,
  note?: (message: string) => void,
): Promise<T> {
  const { warehouse, target } = projectPaths(config);
  const locks = acquireExperimentLocks(target, experimentIds, command, note);
  try {
    const db = await openDb(warehouse);
    try {
      await ensureLedgerTables(db);
      return await fn(db);
    } finally {
      db.close();
    }
  } finally {
    locks.release();
  }
}

export function isWarehouseLocked(err: unknown): err is XpError {
  return err instanceof XpError && err.code === 'WAREHOUSE_LOCKED';
}
