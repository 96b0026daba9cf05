/** The validated, resolved project: what every later step of the runner reads. */
import type { ExperimentConfig, RawProjectConfig, ModelSettings } from './config-schema.ts';

export type { MetricConfig, SynthConfig, ModelSettings } from './config-schema.ts';
export type { PolicyAction, PolicyConfig } from './config-schema.ts';

export interface Experiment extends ExperimentConfig {
  readonly id: string;
  /** the control variant (config `control`, else the first variant) */
  readonly control: string;
  /** every other variant, in config order */
  readonly treatments: readonly string[];
  /** primary, secondary and guardrail metrics, deduplicated, primary first */
  readonly metricNames: readonly string[];
  /** where it is defined, for error messages */
  readonly file: string;
  readonly line: number;
}

export interface ProjectConfig extends Omit<RawProjectConfig, 'experiments'> {
  /** absolute path of the config file */
  readonly file: string;
  /** the project root: models/, macros/, analyses/, seeds/ live here */
  readonly root: string;
  readonly experiments: readonly Experiment[];
}

export type { Materialization, Stage } from '../core/results.ts';
import type { Materialization, Stage } from '../core/results.ts';

/** A SQL model as found on disk, before rendering. */
export interface ModelNode {
  readonly name: string;
  /** path relative to the project root, e.g. models/core/exposures.sql */
  readonly path: string;
  /** folder under models/, e.g. core */
  readonly folder: string;
  readonly rawSql: string;
  readonly materialized: Materialization;
  readonly stage: Stage;
  readonly tags: readonly string[];
  readonly properties: ModelProperties;
  /** the properties file beside the model, if any */
  readonly propertiesPath?: string;
  /** names of models referenced with {{ref}}, in order of appearance */
  readonly refs: readonly string[];
  /** sources referenced with {{source}} as "source.table" */
  readonly sources: readonly string[];
  /** set for a seed (a CSV under seeds/, loaded as a table): its typed columns and rows */
  readonly seed?: SeedTable;
}

/** The column types a seed's properties file may declare (DuckDB type names). */
export const SEED_TYPES = ['varchar', 'integer', 'bigint', 'double', 'boolean', 'date', 'timestamp'] as const;
export type SeedType = (typeof SEED_TYPES)[number];

export interface SeedColumn {
  readonly name: string;
  readonly type: SeedType;
}

/** A parsed, type-checked CSV seed: every value already valid for its column's type (null = empty field). */
export interface SeedTable {
  readonly columns: readonly SeedColumn[];
  readonly rows: readonly (readonly (string | null)[])[];
}

export interface ColumnProperties {
  readonly name: string;
  readonly description?: string;
  /** a seed column's type (seeds/<name>.yml) */
  readonly data_type?: string;
  readonly tests?: readonly unknown[];
}

export interface ModelProperties {
  readonly description?: string;
  readonly columns: readonly ColumnProperties[];
  readonly tests: readonly unknown[];
  readonly unit_tests: readonly unknown[];
}
