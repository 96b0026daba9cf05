/**
 * A temp copy of the shipped project (configs/, models/, macros/, analyses/) with a test
 * config of small synthetic experiments, and helpers to read its result tables.
 */
import { rmSync } from 'node:fs';
import { copyProject, REPO_ROOT, type TempProject } from '../helpers/project.ts';
import { rows } from '../helpers/warehouse.ts';
import type { Row } from '../../src/engine/connection.ts';

/** The shipped metric definitions, with a guardrail margin small tests can clear. */
export const METRICS = `
metrics:
  conversion: { type: binomial, event: purchase, direction: increase }
  revenue: { type: mean, event: purchase, value: value, cap_quantile: 0.99, direction: increase }
  revenue_per_order:
    type: ratio
    numerator: { event: purchase, value: value }
    denominator: { event: purchase }
  bounce_rate: { type: binomial, event: bounce, direction: decrease, guardrail: true, margin: 0.2 }
`;

export const PROJECT_HEAD = `name: exp_platform
warehouse: target/warehouse.duckdb
storage:
  raw: file://data/raw/exp_platform
  cache: target/cache
models:
  staging: { materialized: partitioned, stage: ingest }
  core:    { materialized: partitioned, stage: ingest }
  metrics: { materialized: partitioned, stage: metrics }
  checks:  { materialized: partitioned, stage: dq }
vars:
  dq_max_missing_key_rate: 0.001
  dq_max_duplicate_rate: 0.001
  dq_max_outside_window_rate: 0.01
  dq_max_multi_variant_rate: 0.001
  dq_max_unknown_variant_rate: 0
  dq_min_exposures: 100
`;

/** The shipped project with `experiments` (YAML under `experiments:`) as its only experiments. */
export function analysisProject(experiments: string, prefix = 'analyses'): TempProject {
  const p = copyProject(REPO_ROOT, { only: ['configs', 'models', 'macros', 'analyses', 'seeds'], prefix });
  rmSync(p.file('configs/experiments'), { recursive: true, force: true });
  rmSync(p.file('configs/minio.yaml'), { force: true });
  p.write('configs/dev.yaml', `${PROJECT_HEAD}${METRICS}\nexperiments:\n${experiments}`);
  return p;
}

export function tableRows<T extends Row = Row>(p: TempProject, table: string, experimentId: string, order = '1'): Promise<T[]> {
  return rows<T>(p.file('target/warehouse.duckdb'), `select * from exp.${table} where experiment_id = '${experimentId}' order by ${order}`);
}
