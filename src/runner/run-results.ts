/** target/run_results.json (as dbt writes it) and the xp.runs row of a build or test run. */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Db } from '../engine/connection.ts';
import type { StepResult } from './events.ts';

export interface RunResults {
  readonly run_id: string;
  readonly command: string;
  readonly started_at: string;
  readonly finished_at: string;
  readonly status: 'success' | 'error';
  readonly elapsed_seconds: number;
  readonly results: readonly StepResult[];
}

export function newRunId(now = new Date()): string {
  return `${now.toISOString().replace(/[-:.]/g, '').slice(0, 15)}-${process.pid}`;
}

export function writeRunResults(targetDir: string, run: RunResults): string {
  const file = path.join(targetDir, 'run_results.json');
  mkdirSync(targetDir, { recursive: true });
  writeFileSync(file, JSON.stringify(run, null, 2) + '\n');
  return file;
}

export async function recordRun(db: Db, run: RunResults): Promise<void> {
  await db.run('delete from xp.runs where run_id = $1', [run.run_id]);
  await db.run('insert into xp.runs values ($1, $2, $3, $4, $5, $6)', [
    run.run_id, run.started_at, run.finished_at, run.command, run.status, JSON.stringify(run.results),
  ]);
}
