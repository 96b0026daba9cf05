/**
 * The result tables of the shipped plugins: one place for every column name and type, read
 * by the plugins (`writes`), by their pure row builders (row types) and by the memo and
 * report (docs/statistics.md#plugins lists the meaning of each column). Every table also
 * has `experiment_id`, added by the runner. Column names are a contract: add, never rename.
 */
import type { ColumnType, TableSpec } from '../analyse/plugin.ts';

type ValueOf<T extends ColumnType> =
  T extends 'double' | 'bigint' | 'integer' ? number | null
  : T extends 'boolean' ? boolean | null
  : T extends 'json' ? unknown
  : string | null;

/** A row of a table: every column optional (a missing column is written as NULL). */
export type RowOf<S extends TableSpec> = { -readonly [K in keyof S]?: ValueOf<S[K]> };

const spec = <S extends TableSpec>(s: S): S => s;

/** status / reason / reason_detail: 'ok' or why not (a NotEstimableReason or a plugin reason). */
const STATUS = { status: 'varchar', reason: 'varchar', reason_detail: 'varchar' } as const;

export const ANALYSIS_RESULTS = spec({
  metric: 'varchar', metric_type: 'varchar', metric_role: 'varchar', direction: 'varchar',
  control_variant: 'varchar', variant: 'varchar', test: 'varchar',
  ...STATUS,
  control_n: 'bigint', treatment_n: 'bigint', control_mean: 'double', treatment_mean: 'double',
  absolute_lift: 'double', absolute_se: 'double', absolute_ci_lower: 'double', absolute_ci_upper: 'double',
  relative_status: 'varchar', relative_reason: 'varchar',
  relative_lift: 'double', relative_se: 'double', relative_ci_lower: 'double', relative_ci_upper: 'double',
  statistic: 'double', df: 'double', p_value: 'double', p_value_adjusted: 'double', correction: 'varchar', alpha: 'double',
  significant: 'boolean', outcome: 'varchar',
  bayes_status: 'varchar', bayes_reason: 'varchar', chance_to_beat_control: 'double',
  expected_loss_treatment: 'double', expected_loss_control: 'double', credible_lower: 'double', credible_upper: 'double',
  is_guardrail: 'boolean', guardrail_margin: 'double', noninferiority_p_value: 'double', noninferiority_bound: 'double',
  guardrail_pass: 'boolean', guardrail_harm: 'boolean',
  mde_absolute: 'double', mde_relative: 'double', mde_power: 'double',
  // the pre-registered estimator (cuped | raw) gives every column above; the raw one is shown beside it
  estimator: 'varchar', raw_relative_lift: 'double', raw_relative_ci_lower: 'double', raw_relative_ci_upper: 'double', raw_p_value: 'double',
  // guardrails: the one-sided test in the harmful direction at harm_alpha = alpha / (2 × guardrails × treatments),
  // and the worst relative effect it cannot rule out (harm_bound); non-inferiority only when opted in
  harm_p_value: 'double', harm_alpha: 'double', harm_bound: 'double', noninferiority: 'boolean', ni_n_per_arm: 'double',
  // metrics with a `prior` on the relative effect: the prior, the posterior mean of the relative lift (the
  // shrunken estimate the chance to beat control and the credible interval describe) and the data's own estimate
  prior_mean: 'double', prior_sd: 'double', posterior_lift: 'double', likelihood_lift: 'double',
  // capped / winsorised mean metrics: the bounds every user's value was held to (pooled across arms)
  value_floor: 'double', value_cap: 'double',
});
export type AbRow = RowOf<typeof ANALYSIS_RESULTS>;

export const ANALYSIS_RESULTS_CUPED = spec({
  metric: 'varchar', metric_type: 'varchar', metric_role: 'varchar', control_variant: 'varchar', variant: 'varchar',
  ...STATUS,
  correlation: 'double', min_correlation: 'double', theta: 'double', variance_reduction: 'double',
  control_n: 'bigint', treatment_n: 'bigint',
  control_mean: 'double', treatment_mean: 'double', control_pre_mean: 'double', treatment_pre_mean: 'double',
  raw_lift: 'double', raw_se: 'double', raw_ci_lower: 'double', raw_ci_upper: 'double', raw_p_value: 'double',
  adjusted_lift: 'double', adjusted_se: 'double', adjusted_ci_lower: 'double', adjusted_ci_upper: 'double', adjusted_p_value: 'double',
  raw_relative_lift: 'double', raw_relative_ci_lower: 'double', raw_relative_ci_upper: 'double',
  adjusted_relative_lift: 'double', adjusted_relative_ci_lower: 'double', adjusted_relative_ci_upper: 'double',
  alpha: 'double',
});
export type CupedRow = RowOf<typeof ANALYSIS_RESULTS_CUPED>;

export const DID_RESULTS = spec({
  metric: 'varchar', metric_type: 'varchar', metric_role: 'varchar', control_variant: 'varchar', variant: 'varchar',
  ...STATUS,
  control_n: 'bigint', treatment_n: 'bigint', pre_period_days: 'integer',
  control_pre_mean: 'double', control_post_mean: 'double', treatment_pre_mean: 'double', treatment_post_mean: 'double',
  control_change: 'double', treatment_change: 'double',
  estimate: 'double', se: 'double', ci_lower: 'double', ci_upper: 'double', p_value: 'double', statistic: 'double', df: 'double',
  alpha: 'double',
});
export type DidRow = RowOf<typeof DID_RESULTS>;

export const DID_PRETREND_DELTA = spec({
  metric: 'varchar', metric_type: 'varchar', control_variant: 'varchar', variant: 'varchar',
  day: 'date', day_index: 'integer', period: 'varchar',
  ...STATUS,
  control_n: 'bigint', treatment_n: 'bigint', control_mean: 'double', treatment_mean: 'double',
  delta: 'double', se: 'double', ci_lower: 'double', ci_upper: 'double',
});
export type PretrendDeltaRow = RowOf<typeof DID_PRETREND_DELTA>;

export const DID_PRETREND_TESTS = spec({
  metric: 'varchar', metric_type: 'varchar', control_variant: 'varchar', variant: 'varchar',
  ...STATUS,
  verdict: 'varchar', pre_days: 'integer', days_used: 'integer', min_days: 'integer', alpha: 'double',
  slope: 'double', slope_se: 'double', slope_ci_lower: 'double', slope_ci_upper: 'double', slope_p_value: 'double',
  joint_chi2: 'double', joint_df: 'integer', joint_p_value: 'double',
});
export type PretrendTestRow = RowOf<typeof DID_PRETREND_TESTS>;

export const SRM_RESULTS = spec({
  grain: 'varchar', day: 'date', day_index: 'integer',
  ...STATUS,
  n_total: 'bigint', observed: 'json', expected_shares: 'json', observed_shares: 'json',
  chi2: 'double', df: 'integer', p_value: 'double', threshold: 'double', mismatch: 'boolean',
  day_n_total: 'bigint', day_chi2: 'double', day_p_value: 'double',
});
export type SrmRow = RowOf<typeof SRM_RESULTS>;

/** The SRM debugger (srm_debug): the split tested within each level of each dimension and day, ranked by p-value. */
export const SRM_DEBUG_RESULTS = spec({
  dimension: 'varchar', level: 'varchar', rank: 'integer',
  ...STATUS,
  n_total: 'bigint', observed: 'json', expected_shares: 'json', observed_shares: 'json',
  chi2: 'double', df: 'integer', p_value: 'double', p_value_adjusted: 'double', correction: 'varchar',
  threshold: 'double', mismatch: 'boolean', few_users: 'boolean', overall_mismatch: 'boolean',
});
export type SrmDebugRow = RowOf<typeof SRM_DEBUG_RESULTS>;

/** Dimension slices (slices): each metric's comparison within each level of each dimension; never read by the decision. */
export const SLICE_RESULTS = spec({
  dimension: 'varchar', level: 'varchar', metric: 'varchar', metric_type: 'varchar', control_variant: 'varchar', variant: 'varchar',
  ...STATUS,
  control_n: 'bigint', treatment_n: 'bigint', control_mean: 'double', treatment_mean: 'double',
  estimate: 'double', ci_lower: 'double', ci_upper: 'double', relative_lift: 'double', p_value: 'double',
  p_value_adjusted: 'double', correction: 'varchar', significant: 'boolean', few_users: 'boolean',
});
export type SliceRow = RowOf<typeof SLICE_RESULTS>;

export const SEQUENTIAL_LOOKS = spec({
  look: 'integer', is_current: 'boolean', look_status: 'varchar', look_note: 'varchar', ledger_status: 'varchar',
  metric: 'varchar', direction: 'varchar', control_variant: 'varchar', variant: 'varchar',
  ...STATUS,
  planned_looks: 'integer', target_n_per_arm: 'bigint', spending: 'varchar', alpha: 'double', comparison_alpha: 'double',
  control_n: 'bigint', treatment_n: 'bigint', min_n_per_arm: 'bigint', information_fraction: 'double',
  estimate: 'double', se: 'double', z: 'double',
  boundary: 'double', nominal_alpha: 'double', alpha_spent: 'double', crossed: 'boolean', decision: 'varchar', is_final_look: 'boolean',
  next_information_fraction: 'double', next_boundary: 'double',
  always_valid_status: 'varchar', always_valid_reason: 'varchar', always_valid_p_value: 'double',
  always_valid_ci_lower: 'double', always_valid_ci_upper: 'double', always_valid_looks: 'integer',
  last_day_index: 'integer', window_days: 'integer', window_complete: 'boolean',
  guardrail_boundary: 'double',
  // the guardrails' z at this look ({ metric: { variant: z } }): a build standing on a recorded look judges harm by them
  guardrail_z: 'json',
});
export type SequentialRow = RowOf<typeof SEQUENTIAL_LOOKS>;

export const DECISIONS = spec({
  decision: 'varchar', rule: 'varchar', headline: 'varchar',
  best_treatment: 'varchar', leading_treatment: 'varchar', primary_metric: 'varchar', direction: 'varchar',
  primary_relative_lift: 'double', primary_relative_ci_lower: 'double', primary_relative_ci_upper: 'double',
  primary_p_value_adjusted: 'double',
  sequential: 'boolean', look: 'integer', planned_looks: 'integer', information_fraction: 'double', is_final: 'boolean',
  boundary: 'double', next_information_fraction: 'double', next_boundary: 'double', alpha_spent: 'double',
  mde_absolute: 'double', mde_relative: 'double',
  reasons: 'json', treatment_verdicts: 'json', rules: 'json',
});
export type DecisionRow = RowOf<typeof DECISIONS>;
