/**
 * One measured process: `build <config> <experiment> [--full-refresh]`,
 * `floor <config> <experiment>` or `persist <config> <experiment>`. Prints one JSON line
 * with timings and peak RSS, so each measurement's memory is its own.
 */
import path from 'node:path';
import { loadProject } from '../src/runner/load-project.ts';
import { runBuild } from '../src/runner/run-build.ts';
import { warehousePath } from '../src/core/paths.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { openDb } from '../src/engine/connection.ts';
import { sqlLiteral } from '../src/engine/sql.ts';
import { floorSql } from './floor.ts';

const [mode, config, experimentId, ...flags] = process.argv.slice(2);
const t0 = performance.now();
const project = await loadProject(config!, process.cwd());
const loadSeconds = (performance.now() - t0) / 1000;
const experiment = project.config.experiments.find((e) => e.id === experimentId)!;
let out: Record<string, unknown>;
if (mode === 'build') {
  const t = performance.now();
  const outcome = await runBuild(project, { select: experimentId!, fullRefresh: flags.includes('--full-refresh'), command: 'bench' });
  out = { seconds: (performance.now() - t) / 1000, loadSeconds, status: outcome.status, results: outcome.results };
} else if (mode === 'persist') {
  // What any build must pay to keep its core partitions: the built exposures and outcomes
  // rows, held in memory, written into a fresh DuckDB file (attach, insert, commit, detach),
  // as the build's scratch commits them to the warehouse.
  const db = await openDb(':memory:');
  await db.run(`attach ${sqlLiteral(warehousePath(project.config))} as wh (read_only)`);
  const tables = ['exposures', 'outcomes'];
  let rows = 0;
  for (const t of tables) {
    await db.run(`create table ${t} as select * from wh.exp.${t} where experiment_id = $1`, [experimentId!]);
    rows += Number((await db.all<{ n: number }>(`select count(*) as n from ${t}`))[0]!.n);
  }
  await db.run('detach wh');
  const dir = mkdtempSync(path.join(tmpdir(), 'xp-bench-persist-'));
  const file = sqlLiteral(path.join(dir, 'persist.duckdb'));
  await db.run(`attach ${file} as out`);
  for (const t of tables) await db.run(`create table out.${t} as select * from ${t} where false`);
  await db.run('detach out');
  const t = performance.now();
  await db.run(`attach ${file} as out`);
  await db.run('begin');
  for (const t of tables) await db.run(`insert into out.${t} select * from ${t}`);
  await db.run('commit');
  await db.run('detach out');
  const seconds = (performance.now() - t) / 1000;
  db.close();
  rmSync(dir, { recursive: true, force: true });
  out = { seconds, rows };
} else {
  const raw = path.resolve(project.config.root, project.config.storage.raw.replace('file://', ''), experimentId!);
  const db = await openDb(':memory:');
  const t = performance.now();
  const rows = await db.all(floorSql(raw, experiment));
  const seconds = (performance.now() - t) / 1000;
  db.close();
  // the build's own numbers, to check the floor computes the same thing
  const wh = await openDb(warehousePath(project.config), { readOnly: true });
  const built = await wh.all(
    `select variant, metric, n, sum, sum_squares, pre_sum, pre_sum_squares, sum_pre_product, denominator_sum, numerator_denominator_sum
     from exp.metric_aggregates_overall where experiment_id = $1 order by variant, metric`, [experimentId!]);
  wh.close();
  out = { seconds, rows, built };
}
process.stdout.write(JSON.stringify({ ...out, maxRssMb: process.resourceUsage().maxRSS / 1024 }) + '\n');
