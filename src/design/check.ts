/**
 * The design check at the start of an experiment (docs/statistics.md#design-check): for the
 * primary metric and every guardrail that opted in to non-inferiority, the power of its
 * decision test at the planned sample, and the sample that reaches the configured power.
 * Pure: the built aggregates come in as rows (or null when nothing is built yet).
 *
 * - primary: two-sided at α (α / T over T treatments, Bonferroni as the analyses; the
 *   sequential plan's α when it has one) for the relative effect `design.mde` in its good
 *   direction;
 * - non-inferiority guardrail: one-sided at α, true effect 0, relative margin `margin`.
 * With CUPED as the pre-registered estimator the variance is multiplied by 1 − ρ².
 */
import type { OverallAggregate } from '../analyses/model-rows.ts';
import { decisionConfig, metricPlans, type Estimator, type MetricPlan } from '../analyses/lib/settings.ts';
import type { Experiment, MetricConfig } from '../project/types.ts';
import { isNotEstimable, sampleSizeMeans, sampleSizeProportions, type SampleSizeResult } from '../stats/index.ts';
import { baselineOf, type Baseline } from './baselines.ts';
import { powerMeans, powerNonInferiority, powerProportions, sampleSizeNonInferiority, type PowerResult } from './power-at-n.ts';

export type SampleSource = 'design.n_per_arm' | 'sequential.target_n_per_arm' | 'override';

export interface DesignPlan {
  /** planned users per arm, or null when the config gives none */
  readonly nPerArm: number | null;
  readonly nSource: SampleSource | null;
  /** relative minimum effect of interest of the primary, or null */
  readonly mde: number | null;
  /** the power to reach: decision.power */
  readonly power: number;
}

/** `design:` of the experiment, n_per_arm falling back to sequential.target_n_per_arm; overrides first. */
export function designPlan(experiment: Pick<Experiment, 'design' | 'sequential' | 'decision'>, overrides: { readonly nPerArm?: number; readonly mde?: number } = {}): DesignPlan {
  const configured = experiment.design?.n_per_arm !== undefined
    ? { nPerArm: experiment.design.n_per_arm, nSource: 'design.n_per_arm' as const }
    : experiment.sequential ? { nPerArm: experiment.sequential.target_n_per_arm, nSource: 'sequential.target_n_per_arm' as const }
    : { nPerArm: null, nSource: null };
  const n = overrides.nPerArm !== undefined ? { nPerArm: overrides.nPerArm, nSource: 'override' as const } : configured;
  return { ...n, mde: overrides.mde ?? experiment.design?.mde ?? null, power: decisionConfig(experiment).power };
}

export type Verdict = 'ok' | 'underpowered' | 'unchecked';

/** Why a row has no power: a closed set; `detail` says it in words. */
export type UncheckedReason = 'NO_PLANNED_SAMPLE' | 'NO_MDE' | 'NOT_BUILT' | 'NO_BASELINE' | 'NOT_ESTIMABLE';

export interface DesignRow {
  readonly metric: string;
  readonly role: 'primary' | 'guardrail';
  readonly test: 'superiority' | 'non-inferiority';
  readonly sided: 1 | 2;
  readonly alpha: number;
  /** the relative effect the test is powered for, signed: the mde in the good direction, the margin in the harmful one */
  readonly effect: number | null;
  readonly estimator: Estimator;
  readonly baseline: Baseline | null;
  /** the estimator's variance relative to the raw difference: 1 − ρ² for CUPED, else 1 */
  readonly varianceFactor: number;
  readonly plannedNPerArm: number | null;
  readonly power: number | null;
  readonly neededNPerArm: number | null;
  readonly verdict: Verdict;
  readonly reason: UncheckedReason | null;
  readonly detail: string | null;
}

export interface DesignCheck {
  readonly experimentId: string;
  readonly plan: DesignPlan;
  readonly treatments: number;
  /** false: the experiment has no built aggregates to take baselines from */
  readonly built: boolean;
  readonly rows: readonly DesignRow[];
  /** every row checked and at the configured power */
  readonly passed: boolean;
}

const signed = (plan: MetricPlan, magnitude: number, good: boolean): number =>
  (plan.direction === 'increase') === good ? magnitude : -magnitude;

/** 1 − ρ² when CUPED is the estimator and the built data give a correlation, else 1. */
function varianceFactorOf(plan: MetricPlan, baseline: Baseline | null): number {
  if (plan.estimator !== 'cuped' || baseline?.correlation === null || baseline?.correlation === undefined) return 1;
  return Math.max(1e-6, 1 - baseline.correlation ** 2);
}

/** A RangeError from an impossible design (a rate pushed outside (0, 1)) is a row that cannot be checked. */
function attempt<T>(fn: () => T): T | { status: 'not-estimable'; detail: string } {
  try {
    return fn();
  } catch (err) {
    if (err instanceof RangeError) return { status: 'not-estimable', detail: err.message };
    throw err;
  }
}

interface Computed {
  readonly power: PowerResult | { status: 'not-estimable'; detail: string } | null;
  readonly needed: SampleSizeResult | { status: 'not-estimable'; detail: string };
}

function primaryPower(plan: MetricPlan, b: Baseline, mde: number, n: number | null, cfg: { alpha: number; power: number }, f: number): Computed {
  const relative = signed(plan, mde, true);
  if (b.type === 'binomial') {
    return {
      power: n === null ? null : attempt(() => powerProportions({ baseline: b.mean, effect: relative * b.mean, controlN: n, varianceFactor: f }, { alpha: cfg.alpha, sided: 2 })),
      needed: attempt(() => scaled(sampleSizeProportions({ baseline: b.mean, effect: relative, effectType: 'relative' }, { ...cfg, sided: 2 }), f)),
    };
  }
  const effect = relative * Math.abs(b.mean);
  return {
    power: n === null ? null : attempt(() => powerMeans({ sd: b.sd, effect, controlN: n, varianceFactor: f }, { alpha: cfg.alpha, sided: 2 })),
    needed: attempt(() => sampleSizeMeans({ sd: b.sd * Math.sqrt(f), effect }, { ...cfg, sided: 2 })),
  };
}

/** sampleSizeProportions has no variance factor: n scales with the variance. */
function scaled(r: SampleSizeResult, f: number): SampleSizeResult {
  if (isNotEstimable(r) || f === 1) return r;
  const control = Math.ceil(r.exact.control * f - 1e-9);
  const treatment = Math.ceil(r.exact.treatment * f - 1e-9);
  return { status: 'ok', control, treatment, total: control + treatment, exact: { control: r.exact.control * f, treatment: r.exact.treatment * f } };
}

function row(
  plan: MetricPlan,
  test: DesignRow['test'],
  alpha: number,
  design: DesignPlan,
  aggregates: readonly OverallAggregate[] | null,
  experiment: Pick<Experiment, 'control' | 'pre_period_days'>,
): DesignRow {
  const isNi = test === 'non-inferiority';
  const effect = isNi ? signed(plan, plan.margin ?? 0, false) : design.mde === null ? null : signed(plan, design.mde, true);
  const base = {
    metric: plan.name, role: isNi ? 'guardrail' as const : 'primary' as const, test, sided: isNi ? 1 as const : 2 as const, alpha, effect,
    estimator: plan.estimator, plannedNPerArm: design.nPerArm,
  };
  const unchecked = (reason: UncheckedReason, detail: string, baseline: Baseline | null = null, needed: number | null = null): DesignRow =>
    ({ ...base, baseline, varianceFactor: varianceFactorOf(plan, baseline), power: null, neededNPerArm: needed, verdict: 'unchecked', reason, detail });
  if (!isNi && design.mde === null) return unchecked('NO_MDE', 'design.mde is not set');
  if (aggregates === null) return unchecked('NOT_BUILT', 'nothing is built to take a baseline from');
  const b = baselineOf(aggregates, plan.name, plan.type, { control: experiment.control, prePeriodDays: experiment.pre_period_days });
  if (isNotEstimable(b)) return unchecked('NO_BASELINE', b.detail);
  const f = varianceFactorOf(plan, b);
  const cfg = { alpha, power: design.power };
  const n = design.nPerArm;
  const c: Computed = isNi
    ? {
        power: n === null ? null : attempt(() => powerNonInferiority({ mean: b.mean, sd: b.sd, margin: plan.margin ?? 0, varianceFactor: f, nPerArm: n }, { alpha })),
        needed: attempt(() => sampleSizeNonInferiority({ mean: b.mean, sd: b.sd, margin: plan.margin ?? 0, varianceFactor: f }, cfg)),
      }
    : primaryPower(plan, b, design.mde!, n, cfg, f);
  const needed = c.needed.status === 'ok' ? c.needed.control : null;
  if (c.needed.status !== 'ok') return unchecked('NOT_ESTIMABLE', c.needed.detail, b);
  if (c.power === null) return unchecked('NO_PLANNED_SAMPLE', 'no planned sample: design.n_per_arm is not set and there is no sequential plan', b, needed);
  if (c.power.status !== 'ok') return unchecked('NOT_ESTIMABLE', c.power.detail, b, needed);
  const power = c.power.power;
  return { ...base, baseline: b, varianceFactor: f, power, neededNPerArm: needed, verdict: power >= design.power ? 'ok' : 'underpowered', reason: null, detail: null };
}

/** The alpha of the primary's decision test, per treatment: the plan's (or experiment's) α over T treatments. */
export function primaryAlpha(experiment: Pick<Experiment, 'alpha' | 'sequential' | 'correction' | 'treatments'>): number {
  const t = Math.max(1, experiment.treatments.length);
  if (experiment.sequential) return experiment.sequential.alpha / t;
  return experiment.correction === 'none' ? experiment.alpha : experiment.alpha / t;
}

export function checkDesign(
  experiment: Experiment,
  metrics: Readonly<Record<string, MetricConfig>>,
  aggregates: readonly OverallAggregate[] | null,
  overrides: { readonly nPerArm?: number; readonly mde?: number } = {},
): DesignCheck {
  const design = designPlan(experiment, overrides);
  const plans = metricPlans(experiment, metrics);
  const rows = [
    ...plans.filter((p) => p.role === 'primary').map((p) => row(p, 'superiority', primaryAlpha(experiment), design, aggregates, experiment)),
    ...plans.filter((p) => p.noninferiority).map((p) => row(p, 'non-inferiority', experiment.alpha, design, aggregates, experiment)),
  ];
  return {
    experimentId: experiment.id,
    plan: design,
    treatments: experiment.treatments.length,
    built: aggregates !== null,
    rows,
    passed: rows.every((r) => r.verdict === 'ok'),
  };
}
