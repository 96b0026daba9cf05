/**
 * The config an experiment runs under, as the ledger keeps it: the resolved experiment
 * plus the definitions of its metrics. Once an experiment runs, its design (variants,
 * allocations, metrics, alpha, sequential plan, dates) may only change with
 * --accept-config-change; cosmetic fields (name, description, hypothesis, owner) and
 * generation-only settings (synth) pass with a note.
 */
import type { Experiment, MetricConfig, ProjectConfig } from '../project/types.ts';
import { canonicalJson, valueHash } from './canonical.ts';

export interface ConfigSnapshot {
  readonly experiment: Readonly<Record<string, unknown>>;
  readonly metrics: Readonly<Record<string, MetricConfig>>;
}

export interface ConfigChange {
  /** dotted path, e.g. experiment.variants.treatment or metrics.revenue.cap_quantile */
  readonly path: string;
  readonly from: unknown;
  readonly to: unknown;
  readonly design: boolean;
}

/** Experiment fields that define the design: changing one while running needs the flag. */
export const DESIGN_FIELDS: readonly string[] = [
  'variants', 'control', 'primary_metric', 'secondary_metrics', 'guardrails',
  'start', 'days', 'pre_period_days', 'alpha', 'correction', 'sequential',
];

/** Derived or positional fields that are not configuration. */
const LEFT_OUT = new Set(['id', 'file', 'line', 'treatments', 'metricNames']);

export function configSnapshot(experiment: Experiment, project: Pick<ProjectConfig, 'metrics'>): ConfigSnapshot {
  const fields = Object.fromEntries(Object.entries(experiment).filter(([k, v]) => !LEFT_OUT.has(k) && v !== undefined));
  const metrics = Object.fromEntries(
    experiment.metricNames.filter((m) => project.metrics[m] !== undefined).map((m) => [m, project.metrics[m]!]),
  );
  return JSON.parse(canonicalJson({ experiment: fields, metrics })) as ConfigSnapshot;
}

export function isDesignPath(path: string): boolean {
  if (path.startsWith('metrics.') || path === 'metrics') return true;
  const field = path.split('.')[1];
  return path.startsWith('experiment.') && field !== undefined && DESIGN_FIELDS.includes(field);
}

/** The design part only: its hash decides whether a change needs the flag. */
export function designOf(config: ConfigSnapshot): unknown {
  return {
    experiment: Object.fromEntries(Object.entries(config.experiment).filter(([k]) => DESIGN_FIELDS.includes(k))),
    metrics: config.metrics,
  };
}

export function configHashes(config: ConfigSnapshot): { hash: string; designHash: string } {
  return { hash: valueHash(config), designHash: valueHash(designOf(config)) };
}

const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Leaf-level differences, sorted by path; arrays compare as whole values. */
export function diffConfig(before: ConfigSnapshot, after: ConfigSnapshot): ConfigChange[] {
  const out: ConfigChange[] = [];
  const walk = (a: unknown, b: unknown, path: string): void => {
    if (isRecord(a) && isRecord(b)) {
      for (const k of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) walk(a[k], b[k], path ? `${path}.${k}` : k);
      return;
    }
    if (canonicalJson(a) !== canonicalJson(b)) out.push({ path, from: a, to: b, design: isDesignPath(path) });
  };
  walk(before, after, '');
  return out;
}

/** "experiment.variants.treatment: 0.5 → 0.6" */
export function describeChange(c: ConfigChange): string {
  const show = (v: unknown): string => (v === undefined ? '(unset)' : JSON.stringify(v));
  return `${c.path}: ${show(c.from)} → ${show(c.to)}`;
}
