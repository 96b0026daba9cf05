/** Record a built partition's fingerprint, inside the same transaction as its data. */
import type { Db } from '../connection.ts';
import type { MaterializeRequest } from './types.ts';

export async function recordFingerprint(db: Db, req: MaterializeRequest, rows: number): Promise<void> {
  const key = req.experimentId ?? '';
  await db.run('delete from xp.partitions where model = $1 and experiment_id = $2', [req.model, key]);
  await db.run('insert into xp.partitions values ($1, $2, $3, $4, $5, $6)', [
    req.model, key, req.fingerprint, rows, new Date().toISOString(), req.runId,
  ]);
}
