/**
 * One measured process: `build <config> <experiment> [--full-refresh]` or
 * `floor <config> <experiment>`. Prints one JSON line with timings and peak RSS, so each
 * measurement's memory is its own.
 */
import path from 'node:path';
import { loadProject } from '../src/runner/load-project.ts';
import { runBuild } from '../src/runner/run-build.ts';
import { warehousePath } from '../src/core/paths.ts';
import { openDb } from '../src/engine/connection.ts';
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
