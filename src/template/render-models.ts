/**
 * Render every model's SQL for one experiment partition (or, for models that are not
 * partitioned, once for the project). Pure apart from the template environment: the same
 * project, experiment and input files give the same SQL, which the fingerprints rely on.
 */
import { XpError } from '../core/errors.ts';
import type { Dag } from '../graph/dag.ts';
import type { Experiment, MetricConfig, ModelNode, ProjectConfig } from '../project/types.ts';
import { templateWinsorisation } from '../project/winsorisation.ts';
import { wholeValues } from '../project/whole-values.ts';
import { relation, sqlLiteral } from '../engine/sql.ts';
import type { RenderState, SqlEnv } from './sql-env.ts';
import { PARTITION_PARAM } from './sql-env.ts';
import { MODEL_SCHEMA } from '../engine/platform-store.ts';
import { seedSql } from './seed-sql.ts';

/** Source tables of the partition: "raw.exposures" → local parquet files */
export type { SourceFiles } from '../storage/inputs.ts';
import type { SourceFiles } from '../storage/inputs.ts';

export interface RenderOptions {
  /** replace a ref by another relation (model unit tests point refs at fixtures) */
  readonly refOverride?: (name: string) => string | undefined;
  /** replace a source by another relation */
  readonly sourceOverride?: (source: string, table: string) => string | undefined;
  /** where raw files would be when none are listed yet (compile before data exists) */
  readonly sourceFallback?: (source: string, table: string) => string;
}

export function templateContext(project: ProjectConfig, experiment: Experiment | undefined): Record<string, unknown> {
  // `winsor`: the two-sided / by-value capping of a mean metric (project/winsorisation.ts)
  // `whole`: which per-user values are whole numbers, summed with one integer sum (project/whole-values.ts)
  const withWinsor = (m: MetricConfig) => ({ ...(m.type === 'mean' ? { ...m, winsor: templateWinsorisation(m) } : m), whole: wholeValues(m) });
  const metrics = experiment
    ? experiment.metricNames.map((name) => ({ name, ...withWinsor(project.metrics[name]!) }))
    : Object.entries(project.metrics).map(([name, m]) => ({ name, ...withWinsor(m) }));
  return {
    experiment: experiment ?? null,
    metrics,
    all_metrics: Object.entries(project.metrics).map(([name, m]) => ({ name, ...m })),
    vars: project.vars,
    /** the experiment's exposure dimensions (config `dimensions`), [] when none */
    dimensions: experiment?.dimensions ?? [],
  };
}

export function isPartitioned(node: ModelNode): boolean {
  return node.materialized === 'partitioned';
}

/**
 * Render `names` (and, through refs, the ephemeral models they inline) for a partition.
 * `experiment` undefined renders the project-level (view/table) models.
 */
export function renderModels(
  env: SqlEnv,
  dag: Dag,
  project: ProjectConfig,
  experiment: Experiment | undefined,
  names: readonly string[],
  sources: SourceFiles,
  options: RenderOptions = {},
): Map<string, string> {
  const context = templateContext(project, experiment);
  const out = new Map<string, string>();
  const rendering = new Set<string>();

  const render = (name: string): string => {
    const cached = out.get(name);
    if (cached !== undefined) return cached;
    const node = dag.nodes.get(name)!;
    // a seed is data, not a template: its values never pass through Handlebars
    if (node.seed) {
      const sql = seedSql(node.seed);
      out.set(name, sql);
      return sql;
    }
    if (rendering.has(name)) throw new XpError('MODEL_CYCLE', `ephemeral models inline each other: ${[...rendering, name].join(' → ')}`, { location: { file: node.path } });
    rendering.add(name);
    // Scope by the partition being rendered, not by the node: an ephemeral model inlined
    // into a partitioned one must read the same partition.
    const inPartition = experiment !== undefined;
    const state: RenderState = {
      partitioned: inPartition,
      vars: project.vars,
      ref: (parentName) => {
        const override = options.refOverride?.(parentName);
        if (override !== undefined) return override;
        const parent = dag.nodes.get(parentName);
        if (!parent) throw new XpError('MODEL_REF_UNKNOWN', `ref "${parentName}" is not a model`, { location: { file: node.path, model: name } });
        if (parent.materialized === 'ephemeral') return `(${render(parentName)})`;
        const rel = relation(MODEL_SCHEMA, parentName);
        // A partition's models read only their own partition of a partitioned parent.
        if (isPartitioned(parent) && inPartition) {
          return `(select * from ${rel} where experiment_id = $${PARTITION_PARAM})`;
        }
        return rel;
      },
      source: (sourceName, table) => {
        const override = options.sourceOverride?.(sourceName, table);
        if (override !== undefined) return override;
        if (sourceName !== 'raw') {
          throw new XpError('MODEL_INVALID', `unknown source "${sourceName}"`, {
            location: { file: node.path, model: name },
            hint: 'the raw store is the one source: {{source "raw" "<table>"}}',
          });
        }
        if (!experiment) {
          throw new XpError('MODEL_INVALID', 'only partitioned models can read the raw source (it is stored per experiment)', {
            location: { file: node.path, model: name },
            hint: 'set materialized: partitioned for this model',
          });
        }
        const files = sources.get(`${sourceName}.${table}`) ?? [];
        if (files.length === 0) {
          const fallback = options.sourceFallback?.(sourceName, table);
          if (fallback) return fallback;
          throw new XpError('RAW_DATA_MISSING', `no raw ${table} files for experiment ${experiment.id}`, {
            location: { model: name, experiment: experiment.id, object: `${experiment.id}/${table}/` },
            hint: `generate synthetic data with \`xp generate --select ${experiment.id}\` or load Parquet files there`,
          });
        }
        return `read_parquet(${sqlLiteral([...files])}, union_by_name = true)`;
      },
    };
    const sql = env.render(node.rawSql, context, state, node.path).replace(/^\s*\/\*---[\s\S]*?---\*\/\s*/, '').trim();
    rendering.delete(name);
    out.set(name, sql);
    return sql;
  };

  for (const n of names) render(n);
  return out;
}
