/** Constructed report inputs (no DuckDB): an A/B experiment and rows shaped like the plugins' tables. */
import type { AbRow } from '../../../src/analyses/tables.ts';
import type { StepResult } from '../../../src/core/results.ts';
import type { Experiment, MetricConfig } from '../../../src/project/types.ts';
import type { DailyAggregate, ReportInputs, ReportTables } from '../../../src/report/inputs.ts';

export function experiment(over: Partial<Experiment> = {}): Experiment {
  return {
    id: 'exp_memo',
    name: 'Memo test',
    hypothesis: 'Green converts better',
    owner: 'growth',
    variants: { control: 0.5, treatment: 0.5 },
    control: 'control',
    treatments: ['treatment'],
    primary_metric: 'conversion',
    secondary_metrics: ['revenue'],
    guardrails: ['bounce_rate'],
    metricNames: ['conversion', 'revenue', 'bounce_rate'],
    start: '2026-01-05',
    days: 14,
    pre_period_days: 7,
    alpha: 0.05,
    correction: 'holm',
    sequential: { looks: 4, spending: 'obrien_fleming', alpha: 0.05, target_n_per_arm: 10_000 },
    file: 'configs/dev.yaml',
    line: 1,
    ...over,
  } as Experiment;
}

export const METRICS: Readonly<Record<string, MetricConfig>> = {
  conversion: { type: 'binomial', event: 'purchase', direction: 'increase', guardrail: false, noninferiority: false },
  revenue: { type: 'mean', event: 'purchase', value: 'value', direction: 'increase', guardrail: false, noninferiority: false },
  bounce_rate: { type: 'binomial', event: 'bounce', direction: 'decrease', guardrail: true, noninferiority: false, margin: 0.01 },
};

export function abRow(over: AbRow = {}): AbRow {
  return {
    metric: 'conversion', metric_type: 'binomial', metric_role: 'primary', direction: 'increase', control_variant: 'control', variant: 'treatment',
    test: 'proportion-score', status: 'ok', reason: null, reason_detail: null, control_n: 12_345, treatment_n: 12_301,
    control_mean: 0.1, treatment_mean: 0.1031, absolute_lift: 0.0031, absolute_ci_lower: 0.0012, absolute_ci_upper: 0.005,
    relative_status: 'ok', relative_lift: 0.031, relative_ci_lower: 0.012, relative_ci_upper: 0.05,
    p_value: 0.0042, p_value_adjusted: 0.0042, significant: true, outcome: 'better', bayes_status: 'ok', chance_to_beat_control: 0.9973,
    is_guardrail: false, guardrail_margin: null, noninferiority_p_value: null, noninferiority_bound: null, guardrail_pass: null, guardrail_harm: null,
    ...over,
  };
}

/** Two arms × the given post days of conversion, 1,000 new users a day, rates 10% vs 10.5%. */
export function daily(days = 7): DailyAggregate[] {
  const out: DailyAggregate[] = [];
  for (const [variant, rate] of [['control', 0.1], ['treatment', 0.105]] as const) {
    for (let d = -3; d < days; d++) {
      const n = d < 0 ? 7000 : 1000 * (d + 1);
      const sumDaily = (d < 0 ? 7000 : n) * rate * 0.1;
      out.push({
        variant, metric: 'conversion', metric_type: 'binomial', day: new Date(Date.UTC(2026, 0, 5 + d)).toISOString().slice(0, 10), day_index: d, period: d < 0 ? 'pre' : 'post',
        n_daily: n, sum_daily: sumDaily, sum_squares_daily: sumDaily,
        n_cum: d < 0 ? null : n, sum_cum: d < 0 ? null : n * rate, sum_squares_cum: d < 0 ? null : n * rate,
        denominator_sum_daily: null, denominator_sum_squares_daily: null, numerator_denominator_sum_daily: null,
        denominator_sum_cum: null, denominator_sum_squares_cum: null, numerator_denominator_sum_cum: null,
      });
    }
  }
  return out;
}

export const WRITERS = {
  analysis_results: 'ab', analysis_results_cuped: 'cuped', did_results: 'did', did_pretrend_delta: 'pretrends', did_pretrend_tests: 'pretrends',
  srm_results: 'srm', sequential_looks: 'sequential', decisions: 'decision',
} as const;

export const NO_TABLES: ReportTables = {
  analysis_results: [], analysis_results_cuped: [], did_results: [], did_pretrend_tests: [], srm_results: [], sequential_looks: [], decisions: [],
};

/** Report inputs with the given fields; `tables` names only the tables that have rows. */
export function inputs(over: Partial<Omit<ReportInputs, 'tables'>> & { readonly tables?: Partial<ReportTables> } = {}): ReportInputs {
  return {
    experiment: experiment(),
    metrics: METRICS,
    daily: [],
    srmCounts: [],
    dq: [],
    writers: WRITERS,
    steps: [],
    ledger: {},
    fingerprints: [],
    ...over,
    tables: { ...NO_TABLES, ...over.tables },
  };
}

export function step(node: string, over: Partial<StepResult> = {}): StepResult {
  return { experimentId: 'exp_memo', node, stage: node.replace(/^analysis:/, ''), status: 'success', seconds: 0.1, ...over };
}
