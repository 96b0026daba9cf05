/**
 * The shape of configs/*.yaml. Strict objects: an unknown key is an error, so a typo never
 * silently falls back to a default. Defaults live here and nowhere else.
 */
import { z } from 'zod';
import { MATERIALIZATIONS, STAGES } from '../core/results.ts';

/** Experiment ids become partition keys, object prefixes and file names: keep them tame. */
export const EXPERIMENT_ID_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
export const experimentIdSchema = z
  .string()
  .regex(EXPERIMENT_ID_PATTERN, {
    message: 'an experiment id must match ^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$ (letters, digits, _ . -; no quotes, slashes or spaces)',
  })
  .refine((s) => !s.includes('..'), { message: 'an experiment id must not contain ".."' });

const identifier = z.string().regex(/^[a-z_][a-z0-9_]*$/, {
  message: 'expected a lower-case identifier (letters, digits, underscores)',
});
/** "2024-02-29" yes, "2026-02-30" and "2026-13-01" no. */
function isCalendarDate(v: string): boolean {
  const [y, m, d] = v.split('-').map(Number) as [number, number, number];
  const date = new Date(0);
  date.setUTCFullYear(y, m - 1, d);
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}
const isoDate = z
  .union([z.string(), z.date()])
  .transform((v) => (v instanceof Date ? v.toISOString().slice(0, 10) : v))
  .pipe(z.string().regex(/^\d{4}-\d{2}-\d{2}$/, { message: 'expected a date YYYY-MM-DD' }))
  // 2026-02-30 has the shape but is no day: the window SQL would fail (or roll over) later
  .refine(isCalendarDate, {
    error: (issue) => `${String(issue.input)} is not a calendar date (YYYY-MM-DD)`,
  });
/** Longest window, pre period or synthetic history, in days: ten years. */
export const MAX_DAYS = 3660;
const dayCount = (min: 0 | 1) =>
  z.number().int().min(min).max(MAX_DAYS, { message: `expected at most ${MAX_DAYS} days (ten years)` });
const probability = z.number().min(0).max(1);

const s3Schema = z.strictObject({
  endpoint: z.string().url(),
  region: z.string().default('us-east-1'),
  path_style: z.boolean().default(true),
  access_key_env: z.string().default('AWS_ACCESS_KEY_ID'),
  secret_key_env: z.string().default('AWS_SECRET_ACCESS_KEY'),
});

const storageUri = z.string().regex(/^(file|s3):\/\/.+/, {
  message: 'expected file://<folder> or s3://<bucket>/<prefix>',
});

/** A warehouse source table: a table name (`events`, `analytics.events`) or a SQL text. */
const warehouseRelation = z.string().trim().min(1);

/** `storage.raw: postgres`: raw tables read from PostgreSQL or Redshift (src/storage/postgres). */
const warehouseSourceSchema = z.strictObject({
  url_env: z.string().default('XP_SOURCE_URL'),
  exposures: warehouseRelation.optional(),
  outcomes: warehouseRelation.optional(),
  /** a column whose max (with the row count) is the input snapshot; default: a content hash of the rows (PostgreSQL only) */
  change_column: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { message: 'expected a column name' }).optional(),
  /** rows fetched per batch where the cursor is used (Redshift) */
  batch_rows: z.number().int().min(100).max(1_000_000).default(50_000),
  /** Redshift: UNLOAD each partition to this S3 prefix as Parquet and read it through the S3 store (storage.s3) */
  unload: z.strictObject({
    to: z.string().regex(/^s3:\/\/[^/]+(\/.*)?$/, { message: 'expected s3://<bucket>/<prefix>' }),
    iam_role: z.string().optional(),
  }).optional(),
});

const storageSchema = z.strictObject({
  raw: z.string().regex(/^((file|s3):\/\/.+|postgres)$/, { message: 'expected file://<folder>, s3://<bucket>/<prefix> or postgres' }).default('file://data/raw/exp_platform'),
  lake: storageUri.optional(),
  cache: z.string().default('target/cache'),
  s3: s3Schema.optional(),
  warehouse_source: warehouseSourceSchema.optional(),
});


/** Build settings of a model; folder defaults cascade from `models:` in the config. */
export const modelSettingsSchema = z.strictObject({
  materialized: z.enum(MATERIALIZATIONS).optional(),
  stage: z.enum(STAGES).optional(),
  tags: z.array(z.string()).optional(),
  enabled: z.boolean().optional(),
});

/**
 * A normal prior on a metric's relative effect (treatment − control) / control, in the
 * Bayesian read-out: the posterior is N(prior ⊗ likelihood), shrinking the estimate toward
 * `mean` (gbstats' EffectBayesianABTest with a proper prior; docs/statistics.md#priors).
 */
const priorSchema = z.strictObject({ mean: z.number(), sd: z.number().gt(0, { message: 'prior sd must be > 0' }) });
/**
 * Winsorisation of each user's value: at quantiles of users' values pooled across arms
 * (`lower_quantile` / `upper_quantile` in (0, 1)) or at fixed values (`lower_value` /
 * `upper_value`), one bound per side; a lower bound must be below the upper (checked, with
 * the other rules that span keys, in metric-checks.ts).
 */
const capQuantile = z.number().gt(0, { message: 'a cap quantile must be in (0, 1)' }).lt(1, { message: 'a cap quantile must be in (0, 1)' });
const capSchema = z.strictObject({
  lower_quantile: capQuantile.optional(),
  upper_quantile: capQuantile.optional(),
  lower_value: z.number().optional(),
  upper_value: z.number().optional(),
});
/** The keys every metric type takes, after its own (so parsed key order is unchanged). */
const metricCommon = {
  description: z.string().optional(),
  direction: z.enum(['increase', 'decrease']).default('increase'),
  guardrail: z.boolean().default(false),
  margin: z.number().nonnegative().optional(),
  /** opt in: shipping also requires this guardrail to be shown non-inferior at `margin` */
  noninferiority: z.boolean().default(false),
  prior: priorSchema.optional(),
};
const binomialMetric = z.strictObject({
  type: z.literal('binomial'),
  event: identifier,
  ...metricCommon,
});
const meanMetric = z.strictObject({
  type: z.literal('mean'),
  event: identifier,
  /** column of the outcome event summed per user; omitted = count of events */
  value: identifier.optional(),
  cap_quantile: z.number().gt(0).lt(1).optional(),
  cap: capSchema.optional(),
  /** capping quantiles computed among users with a nonzero value */
  cap_nonzero: z.boolean().optional(),
  ...metricCommon,
});
const ratioPart = z.strictObject({ event: identifier, value: identifier.optional() });
const ratioMetric = z.strictObject({
  type: z.literal('ratio'),
  numerator: ratioPart,
  denominator: ratioPart,
  ...metricCommon,
});
/** The `quantile` of users' values (e.g. 0.5: the median user), compared between arms. */
const quantileMetric = z.strictObject({
  type: z.literal('quantile'),
  event: identifier,
  value: identifier.optional(),
  quantile: z.number().gt(0, { message: 'quantile must be in (0, 1)' }).lt(1, { message: 'quantile must be in (0, 1)' }),
  ...metricCommon,
});
export const metricSchema = z.discriminatedUnion('type', [binomialMetric, meanMetric, ratioMetric, quantileMetric]);

const sequentialSchema = z.strictObject({
  looks: z.number().int().min(1).max(50),
  spending: z.enum(['obrien_fleming', 'pocock']).default('obrien_fleming'),
  alpha: z.number().gt(0).lt(1).default(0.05),
  target_n_per_arm: z.number().int().positive(),
});

export const synthSchema = z.strictObject({
  seed: z.number().int().default(1),
  n_users: z.number().int().positive(),
  days: dayCount(1).optional(),
  exposure_rate: probability.default(1),
  base_conversion: probability.default(0.1),
  effect_lift_conversion: z.number().default(0),
  revenue_mean: z.number().nonnegative().default(10),
  revenue_sd: z.number().nonnegative().default(2),
  effect_lift_revenue: z.number().default(0),
  base_bounce: probability.default(0.3),
  effect_lift_bounce: z.number().default(0),
  events_per_user: z.number().positive().default(3),
  pre_period_days: dayCount(0).optional(),
  /** per-variant share override for generation only: the planned split stays in `variants` */
  variants: z.record(z.string(), probability).optional(),
  /** faults that the data-quality checks must catch */
  srm_skew: z.number().min(-0.5).max(0.5).default(0),
  duplicate_rate: probability.default(0),
  missing_key_rate: probability.default(0),
  late_event_rate: probability.default(0),
  pretrend_drift: z.number().default(0),
  multi_variant_rate: probability.default(0),
  /** user ids start at u<offset> instead of u0: experiments of one layer draw disjoint users; equal ranges share users (overlaps) */
  user_offset: z.number().int().nonnegative().max(1e9).optional(),
  /** a planted A×B interaction: this experiment's treatment users who are also in `variant` of experiment `with` convert at (1 + lift_conversion) times the treatment rate */
  interaction: z.strictObject({ with: z.string(), variant: identifier, lift_conversion: z.number().gt(-1) }).optional(),
  /** fault: an SRM confined to one platform: that platform's control exposures are lost at this rate (the SRM debugger must name it) */
  platform_srm: z.strictObject({ platform: z.enum(['ios', 'android', 'web']), control_loss_rate: probability }).optional(),
});

/**
 * Decision rules (analyses/decision.ts, docs/statistics.md#plugins). Optional per experiment;
 * an absent block means every default below (`defaultDecisionConfig`).
 */
export const decisionSchema = z.strictObject({
  /** SRM flags the experiment untrustworthy when the chi-square p-value is below this */
  srm_threshold: z.number().gt(0).lt(1).default(0.001),
  /** no ship (win) while any arm has fewer analysed users than this */
  min_sample_per_arm: z.number().int().nonnegative().default(100),
  /** power of the minimum detectable effect reported with "no detectable effect" */
  power: z.number().gt(0).lt(1).default(0.8),
});

/** What a `policy:` governs: the lifecycle actions (src/ledger/lifecycle.ts) and accepting a design change of a running experiment. */
export const POLICY_ACTIONS = ['start', 'pause', 'resume', 'complete', 'stop', 'cancel', 'accept-config-change'] as const;

const actorName = z.string().trim().min(1, { message: 'expected an actor name (XP_ACTOR or the OS user)' });

/**
 * Who may do what (README#who-may-do-what, src/ledger/policy.ts): only owners and approvers
 * may perform a policy action; one listed in `approve` also needs an approval recorded in the
 * ledger by an approver other than the actor.
 */
export const policySchema = z.strictObject({
  owners: z.array(actorName).default([]),
  approvers: z.array(actorName).default([]),
  approve: z.array(z.enum(POLICY_ACTIONS)).default([]),
}).refine((p) => p.owners.length + p.approvers.length > 0, { message: 'a policy needs at least one owner or approver: nobody could act on the experiment' })
  .refine((p) => !p.approve.length || p.approvers.length > 0, { message: 'policy.approve lists actions but policy.approvers is empty: nobody could approve them', path: ['approvers'] });

export const experimentSchema = z.strictObject({
  name: z.string(),
  description: z.string().optional(),
  hypothesis: z.string().optional(),
  owner: z.string().optional(),
  variants: z.record(identifier, z.number().gt(0).lt(1)),
  /** the control variant; defaults to the first variant listed */
  control: identifier.optional(),
  primary_metric: identifier,
  secondary_metrics: z.array(identifier).default([]),
  guardrails: z.array(identifier).default([]),
  start: isoDate,
  days: dayCount(1),
  pre_period_days: dayCount(0).default(0),
  alpha: z.number().gt(0).lt(1).default(0.05),
  correction: z.enum(['holm', 'bonferroni', 'bh', 'none']).default('holm'),
  /** the pre-registered estimator: CUPED on the pre-period value where the metric has one (GrowthBook's and Statsig's default), or none */
  variance_reduction: z.enum(['cuped', 'none']).default('cuped'),
  sequential: sequentialSchema.optional(),
  decision: decisionSchema.optional(),
  /** the planned design `xp experiment start` checks the power of (docs/statistics.md#design-check) */
  design: z.strictObject({
    /** planned users per arm; without it, sequential.target_n_per_arm */
    n_per_arm: z.number().int().positive().optional(),
    /** relative minimum effect of interest of the primary metric, e.g. 0.05 */
    mde: z.number().gt(0).optional(),
  }).optional(),
  synth: synthSchema.optional(),
  /** a layer under `layers:`: experiments of one layer are mutually exclusive (no user in two) */
  layer: identifier.optional(),
  /** share of the layer's users this experiment takes (default 1); overlapping experiments of a layer must sum to <= 1 */
  traffic: z.number().gt(0).max(1).optional(),
  /** exposure columns to slice by (raw exposures carry them, e.g. platform, country): the SRM debugger tests the split per level */
  dimensions: z.array(identifier).optional(),
  /** levels per dimension the SRM debugger keeps (by users) before pooling the rest as `other` */
  dimension_max_levels: z.number().int().positive().optional(),
  /** what the memo and report show beyond the defaults: `dimensions`, the slices of these dimensions */
  report: z.strictObject({ dimensions: z.array(identifier).default([]) }).optional(),
  /** `xp run` rebuilds it when its last rebuild is older than `every` (src/runner/schedule-due.ts), even with unchanged inputs */
  schedule: z.strictObject({
    every: z.string().regex(/^[1-9]\d*[mhd]$/, { message: 'a cadence is a whole number and a unit: 30m, 6h or 1d' }),
  }).optional(),
  /** who may start, pause, stop, complete, cancel it or accept a design change (README#who-may-do-what) */
  policy: policySchema.optional(),
});

/**
 * Where the state (ledger, partition catalog, run records) lives: without this block, in
 * the warehouse; with it, in PostgreSQL (src/state). Only the name of the environment
 * variable that holds the postgres:// URL is in the config, never the URL's credentials.
 */
const stateSchema = z.strictObject({
  url_env: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { message: 'expected the name of an environment variable holding a postgres:// URL, e.g. XP_STATE_URL' }),
});

/**
 * Where `xp health --alert` posts its alerts: only the name of the environment variable that
 * holds the webhook URL is in the config (a Slack or PagerDuty URL is a secret).
 */
const alertsSchema = z.strictObject({
  webhook_env: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { message: 'expected the name of an environment variable holding the webhook URL, e.g. XP_ALERT_URL' }),
});

/** The ledger's trusted signers (README#signed-ledger-events): name → base64 SPKI DER or PEM ed25519 public key. */
const ledgerSchema = z.strictObject({
  public_keys: z.record(z.string(), z.string()).default({}),
});

/** The analysis plugins: the built-in pack (src/analyses/builtin) and the project's analyses/*.ts. */
const analysesSchema = z.strictObject({
  /** run the built-in pack (ab, srm, cuped, did, pretrends, sequential, decision); a project plugin of the same name replaces one */
  builtin: z.boolean().default(true),
  /** a plugin run past this many seconds fails (a plugin's own timeoutSeconds wins) */
  timeout_seconds: z.number().positive().optional(),
});

export const projectConfigSchema = z.strictObject({
  name: z.string().default('exp_platform'),
  warehouse: z.string().default('target/warehouse.duckdb'),
  target_dir: z.string().default('target'),
  storage: storageSchema.prefault({}),
  state: stateSchema.optional(),
  alerts: alertsSchema.optional(),
  ledger: ledgerSchema.optional(),
  vars: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])).default({}),
  models: z.record(z.string(), modelSettingsSchema).default({}),
  analyses: analysesSchema.prefault({}),
  metrics: z.record(identifier, metricSchema),
  experiments: z.record(z.string(), experimentSchema).default({}),
  /** traffic layers (docs: README#layers-and-scheduling): experiments name one with `layer:` */
  layers: z.record(identifier, z.strictObject({ description: z.string().optional() }).nullable()).optional(),
});

/** One file under configs/experiments/: an experiment with its id. */
export const experimentFileSchema = experimentSchema.extend({ id: z.string() });

export type RawProjectConfig = z.infer<typeof projectConfigSchema>;
export type MetricConfig = z.infer<typeof metricSchema>;
export type ExperimentConfig = z.infer<typeof experimentSchema>;
export type SynthConfig = z.infer<typeof synthSchema>;
export type DecisionConfig = z.infer<typeof decisionSchema>;
export type PolicyConfig = z.infer<typeof policySchema>;
export type PolicyAction = (typeof POLICY_ACTIONS)[number];
/** the decision rules of an experiment without a `decision:` block */
export const defaultDecisionConfig: DecisionConfig = decisionSchema.parse({});
export type ModelSettings = z.infer<typeof modelSettingsSchema>;
