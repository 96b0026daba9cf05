/** In-memory model nodes for graph and planner tests (no files, no DuckDB). */
import type { Materialization, ModelNode, Stage } from '../../src/project/types.ts';

export interface NodeSpec {
  readonly refs?: readonly string[];
  readonly sources?: readonly string[];
  readonly materialized?: Materialization;
  readonly stage?: Stage;
  readonly tags?: readonly string[];
  readonly folder?: string;
  readonly description?: string;
}

export function modelNode(name: string, spec: NodeSpec = {}): ModelNode {
  const folder = spec.folder ?? 'core';
  return {
    name,
    path: `models/${folder}/${name}.sql`,
    folder,
    rawSql: `select 1 -- ${name}`,
    materialized: spec.materialized ?? 'partitioned',
    stage: spec.stage ?? 'ingest',
    tags: spec.tags ?? [],
    properties: { description: spec.description, columns: [], tests: [], unit_tests: [] },
    refs: spec.refs ?? [],
    sources: spec.sources ?? [],
  };
}

export function modelNodes(specs: Readonly<Record<string, NodeSpec>>): ModelNode[] {
  return Object.entries(specs).map(([name, spec]) => modelNode(name, spec));
}

/**
 * A project shaped like the shipped one:
 * stg_exposures, stg_outcomes → exposures → outcomes → user_metrics → aggregates;
 * exposures → srm_counts; stg_* → dq_results; registry (table) on its own.
 */
export const SHOP = {
  stg_exposures: { folder: 'staging', sources: ['raw.exposures'], tags: ['raw'] },
  stg_outcomes: { folder: 'staging', sources: ['raw.outcomes'], tags: ['raw'] },
  exposures: { refs: ['stg_exposures'] },
  outcomes: { refs: ['stg_outcomes', 'exposures'] },
  user_metrics: { refs: ['outcomes', 'exposures'] },
  metric_aggregates_overall: { folder: 'metrics', refs: ['user_metrics'], stage: 'metrics', tags: ['agg'] },
  metric_aggregates_daily: { folder: 'metrics', refs: ['user_metrics'], stage: 'metrics', tags: ['agg', 'daily'] },
  srm_counts: { folder: 'checks', refs: ['exposures'], stage: 'dq' },
  dq_results: { folder: 'checks', refs: ['stg_exposures', 'stg_outcomes'], stage: 'dq' },
  experiment_registry: { folder: 'core', materialized: 'table' },
} as const satisfies Record<string, NodeSpec>;
