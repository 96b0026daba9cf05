/** The xp.runs row of a build or test run (target/run_results.json is core/results.ts). */
import type { Db } from '../engine/connection.ts';
import type { RunResults } from '../core/results.ts';

export async function recordRun<R>(db: Db, run: RunResults<R>): Promise<void> {
  await db.run('delete from xp.runs where run_id = $1', [run.run_id]);
  await db.run('insert into xp.runs values ($1, $2, $3, $4, $5, $6)', [
    run.run_id, run.started_at, run.finished_at, run.command, run.status, JSON.stringify(run.results),
  ]);
}
