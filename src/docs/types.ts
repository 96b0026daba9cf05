/** The docs site's data: plain records the pages format. */
import type { TestStatus } from '../data-tests/types.ts';
import type { ExperimentDoc } from './collect-experiments.ts';
import type { PartitionInfo } from './warehouse.ts';

export interface TestDoc {
  readonly id: string;
  /** not_null, accepted_values: control, treatment, … or singular */
  readonly summary: string;
  readonly severity: 'error' | 'warn';
  readonly location: string;
  /** worst status in the last `xp test` run, if it ran this test */
  readonly lastStatus?: TestStatus;
}

export interface ColumnDoc {
  readonly name: string;
  readonly type?: string;
  readonly description?: string;
  readonly tests: readonly TestDoc[];
  /** declared in the properties file but absent from the built table */
  readonly missing: boolean;
}

export interface ModelDoc {
  readonly name: string;
  readonly path: string;
  readonly propertiesPath?: string;
  readonly materialized: string;
  readonly stage: string;
  readonly tags: readonly string[];
  readonly description?: string;
  readonly columns: readonly ColumnDoc[];
  readonly tests: readonly TestDoc[];
  readonly unitTests: readonly { readonly name: string; readonly description?: string; readonly location: string }[];
  readonly rawSql: string;
  readonly compiled: { readonly label: string; readonly sql?: string; readonly error?: string };
  /** graph node ids */
  readonly upstream: readonly string[];
  readonly downstream: readonly string[];
  readonly partitions: readonly PartitionInfo[];
}

export interface SourceDoc {
  /** raw.events */
  readonly name: string;
  readonly location: string;
  readonly usedBy: readonly string[];
}

export interface AnalysisDoc {
  readonly name: string;
  readonly path: string;
  readonly description: string;
  readonly reads: readonly string[];
  readonly writes: Readonly<Record<string, Readonly<Record<string, string>>>>;
  readonly after: readonly string[];
  readonly optional: boolean;
}

export type NodeKind = 'source' | 'model' | 'analysis' | 'memo';

export interface GraphNode {
  /** source:raw.events, model:<name>, analysis:<name>, memo */
  readonly id: string;
  readonly kind: NodeKind;
  readonly label: string;
  /** materialisation, folder or file: a second line of context */
  readonly detail: string;
  /** the node's page, relative to the site root */
  readonly href: string;
  /** the metrics it computes (a metric's name is a literal of its SQL, or of the models a plugin reads): what the search finds it by */
  readonly metrics?: readonly string[];
}

export interface DocsData {
  readonly project: string;
  /** the newest build in the warehouse (ISO time): what the pages describe; null before any build */
  readonly asOf: string | null;
  readonly models: readonly ModelDoc[];
  readonly sources: readonly SourceDoc[];
  readonly analyses: readonly AnalysisDoc[];
  readonly experiments: readonly ExperimentDoc[];
  readonly graph: { readonly nodes: readonly GraphNode[]; readonly edges: readonly { readonly from: string; readonly to: string }[] };
  readonly notes: readonly string[];
}

export const modelId = (name: string): string => `model:${name}`;
export const sourceId = (name: string): string => `source:${name}`;
export const analysisId = (name: string): string => `analysis:${name}`;
export const MEMO_ID = 'memo';
