/**
 * The planted truth of a synthetic experiment: for each metric, the population value in
 * every arm and the true lifts, that is the value each estimate the platform reports
 * converges to as the experiment grows. Pure: computed from the plan's outcome model
 * (model.ts), no DuckDB.
 *
 * Each metric's estimand is the per-user post-period value over exposed users, as the
 * models compute it (core/exposures, core/outcomes, metrics/user_metrics):
 *   binomial  P(at least one `event` in the post period): conversion, bounce rate
 *   mean      E[per-user sum of `value` (or count of `event`)], capped at the pooled
 *             cap_quantile when the metric has one (capped-revenue.ts)
 *   ratio     E[numerator sum] / E[denominator sum] (what the ratio of arm totals estimates)
 * The truth describes the fault-free data: `caveats` lists the knobs set in the synth block
 * that move measured estimates away from it (that is what faults are for).
 */
import type { Experiment } from '../project/types.ts';
import { normalCdf } from '../stats/distributions.ts';
import { cappedDiscrete, cappedRevenue, type Pmf } from './capped-revenue.ts';
import { ACTIVITY_SIGMA, REPEAT_PURCHASE_RATE, type ArmModel } from './model.ts';
import { synthPlan, type SynthPlan } from './plan.ts';

/** The part of a metric definition the truth reads; every MetricConfig is one. */
export type TruthMetric =
  | { readonly type: 'binomial'; readonly event: string }
  | { readonly type: 'mean'; readonly event: string; readonly value?: string | undefined; readonly cap_quantile?: number | undefined; readonly cap?: unknown; readonly cap_nonzero?: boolean | undefined }
  | { readonly type: 'ratio'; readonly numerator: MetricPart; readonly denominator: MetricPart }
  /** quantile metrics: no planted truth (not-planted, UNSUPPORTED) */
  | { readonly type: 'quantile'; readonly event: string };
export interface MetricPart {
  readonly event: string;
  readonly value?: string | undefined;
}

/** The metrics of the shipped project (configs/dev.yaml), the default set. */
export const SHIPPED_TRUTH_METRICS: Readonly<Record<string, TruthMetric>> = {
  conversion: { type: 'binomial', event: 'purchase' },
  revenue: { type: 'mean', event: 'purchase', value: 'value', cap_quantile: 0.99 },
  revenue_per_order: { type: 'ratio', numerator: { event: 'purchase', value: 'value' }, denominator: { event: 'purchase' } },
  bounce_rate: { type: 'binomial', event: 'bounce' },
};

export interface ArmTruth {
  readonly variant: string;
  /** the metric's population value in this arm */
  readonly value: number;
}

export interface TreatmentTruth extends ArmTruth {
  /** value − control value */
  readonly absoluteLift: number;
  /** value / control value − 1; null when the control value is 0 */
  readonly relativeLift: number | null;
}

export type MetricTruth =
  | {
      readonly status: 'ok';
      readonly metric: string;
      readonly type: TruthMetric['type'];
      readonly control: ArmTruth;
      readonly treatments: readonly TreatmentTruth[];
      /** capped mean metrics: the population cap every user's value is held to */
      readonly cap?: number;
    }
  | {
      readonly status: 'not-planted';
      readonly metric: string;
      /** UNKNOWN_EVENT: the generator writes no such event; NO_VALUE: only purchases carry a `value`;
       * UNSUPPORTED: a capped page-view mean; ZERO_DENOMINATOR: a ratio over an event that never happens */
      readonly reason: 'UNKNOWN_EVENT' | 'NO_VALUE' | 'UNSUPPORTED' | 'ZERO_DENOMINATOR';
    };

export interface TruthCaveat {
  readonly knob: 'duplicate_rate' | 'missing_key_rate' | 'late_event_rate' | 'days' | 'pretrend_drift' | 'interaction';
  readonly effect: string;
}

export interface PlantedTruth {
  readonly experimentId: string;
  readonly control: string;
  /** in the order of the metrics given */
  readonly metrics: readonly MetricTruth[];
  readonly caveats: readonly TruthCaveat[];
}

const EVENTS = new Set(['purchase', 'bounce', 'page_view']);

/** A per-user post-period sum of one event (its count, or its `value`), in one arm. */
interface UserSum {
  readonly mean: number;
  /** the distribution when discrete; undefined for lognormal purchase values */
  readonly pmf?: Pmf;
}

function userSum(arm: ArmModel, event: string, value: boolean, plan: SynthPlan): UserSum {
  const p = arm.conversion;
  const r = REPEAT_PURCHASE_RATE;
  if (event === 'purchase' && value) {
    const constant = plan.model.orderValueSigma === 0;
    // a constant order value is written rounded to cents
    const v = constant ? Math.round(arm.orderValueMean * 100) / 100 : arm.orderValueMean;
    const pmf = constant ? new Map([[0, 1 - p], [v, p * (1 - r)], [2 * v, p * r]]) : undefined;
    return { mean: p * (1 + r) * v, ...(pmf && { pmf }) };
  }
  if (event === 'purchase') return { mean: p * (1 + r), pmf: new Map([[0, 1 - p], [1, p * (1 - r)], [2, p * r]]) };
  if (event === 'bounce') return { mean: arm.bounce, pmf: new Map([[0, 1 - arm.bounce], [1, arm.bounce]]) };
  // page views: floor(a·A + U) has mean a·E[A] = a exactly
  return { mean: plan.pageViewsPost };
}

/**
 * P(at least one event) in an arm. Page views: P(floor(aA + U) ≥ 1) = E[min(1, aA)] with
 * A = exp(σZ − σ²/2): a·Φ((ln(1/a) − σ²/2)/σ) + 1 − Φ((ln(1/a) + σ²/2)/σ).
 */
function anyEvent(arm: ArmModel, event: string, plan: SynthPlan): number {
  if (event === 'purchase') return arm.conversion;
  if (event === 'bounce') return arm.bounce;
  const a = plan.pageViewsPost;
  if (a <= 0) return 0;
  const s = ACTIVITY_SIGMA;
  const k = Math.log(1 / a);
  return a * normalCdf((k - (s * s) / 2) / s) + 1 - normalCdf((k + (s * s) / 2) / s);
}

type Values = { readonly values: readonly number[]; readonly cap?: number } | { readonly reason: Extract<MetricTruth, { status: 'not-planted' }>['reason'] };

function metricValues(metric: TruthMetric, arms: readonly ArmModel[], weights: readonly number[], plan: SynthPlan): Values {
  if (metric.type === 'quantile') return { reason: 'UNSUPPORTED' };
  const parts: readonly MetricPart[] =
    metric.type === 'ratio' ? [metric.numerator, metric.denominator] : [{ event: metric.event, value: metric.type === 'mean' ? metric.value : undefined }];
  if (parts.some((part) => !EVENTS.has(part.event))) return { reason: 'UNKNOWN_EVENT' };
  if (parts.some((part) => part.value !== undefined && (part.value !== 'value' || part.event !== 'purchase'))) return { reason: 'NO_VALUE' };
  if (metric.type === 'binomial') return { values: arms.map((a) => anyEvent(a, metric.event, plan)) };
  if (metric.type === 'ratio') {
    const num = arms.map((a) => userSum(a, metric.numerator.event, metric.numerator.value !== undefined, plan).mean);
    const den = arms.map((a) => userSum(a, metric.denominator.event, metric.denominator.value !== undefined, plan).mean);
    if (den.some((d) => d === 0)) return { reason: 'ZERO_DENOMINATOR' };
    return { values: num.map((n, k) => n / den[k]!) };
  }
  // two-sided, by-value or nonzero-only winsorisation has no closed-form truth here
  if (metric.cap !== undefined || metric.cap_nonzero !== undefined) return { reason: 'UNSUPPORTED' };
  const sums = arms.map((a) => userSum(a, metric.event, metric.value !== undefined, plan));
  if (metric.cap_quantile === undefined) return { values: sums.map((s) => s.mean) };
  if (sums.every((s) => s.pmf !== undefined)) {
    const capped = cappedDiscrete(sums.map((s, k) => ({ weight: weights[k]!, pmf: s.pmf! })), metric.cap_quantile);
    return { values: capped.means, cap: capped.cap };
  }
  if (metric.event !== 'purchase') return { reason: 'UNSUPPORTED' };
  const capped = cappedRevenue(
    arms.map((a, k) => ({ weight: weights[k]!, conversion: a.conversion, orderValueMean: a.orderValueMean })),
    REPEAT_PURCHASE_RATE,
    plan.model.orderValueSigma,
    metric.cap_quantile,
  );
  return { values: capped.means, cap: capped.cap };
}

function caveatsOf(plan: SynthPlan, experimentDays: number): TruthCaveat[] {
  const s = plan.synth;
  const out: TruthCaveat[] = [];
  if (s.duplicate_rate > 0) out.push({ knob: 'duplicate_rate', effect: 'duplicated outcome rows inflate event counts and sums (binomial metrics are unaffected)' });
  if (s.missing_key_rate > 0) out.push({ knob: 'missing_key_rate', effect: 'events and exposures without a user id are dropped' });
  if (s.late_event_rate > 0) out.push({ knob: 'late_event_rate', effect: 'events logged after the window are dropped' });
  if (plan.days > experimentDays) out.push({ knob: 'days', effect: 'data generated past the experiment window is dropped' });
  if (s.interaction) out.push({ knob: 'interaction', effect: `treatment users also in ${s.interaction.with}'s ${s.interaction.variant} convert at ${1 + s.interaction.lift_conversion} times the treatment rate: the lifts above hold for the others` });
  if (s.pretrend_drift !== 0) out.push({ knob: 'pretrend_drift', effect: 'the treatment pre period is thinned, biasing CUPED and difference-in-differences (not the post-period truth)' });
  return out;
}

/**
 * The planted truth of an experiment's synth block (or of its plan), for `metrics` (the
 * shipped metric definitions by default). Arms are the plan's variants: control first,
 * then every treatment, each with the same planted lifts; capped metrics pool the arms by
 * their generation shares (after synth.variants and srm_skew).
 */
export function plantedTruth(source: Experiment | SynthPlan, metrics: Readonly<Record<string, TruthMetric>> = SHIPPED_TRUTH_METRICS): PlantedTruth {
  // the truth is the marginal one: a planted interaction (which needs the partner's plan) is a caveat
  const plan = 'key' in source ? source : synthPlan(source.synth?.interaction ? { ...source, synth: { ...source.synth, interaction: undefined } } : source);
  const caveatSynth = source.synth;
  const experimentDays = Number((plan.experimentEndUs - plan.startUs) / 86_400_000_000n);
  const variants = [...plan.variants.filter((v) => !v.isTreatment), ...plan.variants.filter((v) => v.isTreatment)];
  const arms = variants.map((v) => (v.isTreatment ? plan.model.treatment : plan.model.control));
  const weights = variants.map((v) => v.share);
  const out = Object.entries(metrics).map(([name, metric]): MetricTruth => {
    const result = metricValues(metric, arms, weights, plan);
    if ('reason' in result) return { status: 'not-planted', metric: name, reason: result.reason };
    const [control, ...treatments] = result.values as [number, ...number[]];
    return {
      status: 'ok',
      metric: name,
      type: metric.type,
      control: { variant: variants[0]!.name, value: control },
      treatments: treatments.map((value, k) => ({
        variant: variants[k + 1]!.name,
        value,
        absoluteLift: value - control,
        relativeLift: control === 0 ? null : value / control - 1,
      })),
      ...(result.cap !== undefined && { cap: result.cap }),
    };
  });
  return { experimentId: plan.experimentId, control: variants[0]!.name, metrics: out, caveats: caveatsOf(caveatSynth ? { ...plan, synth: caveatSynth } : plan, experimentDays) };
}
