/**
 * The rows of analysis_results, computed from the overall aggregates alone (pure, so the
 * tests need no DuckDB): every metric × every treatment against the control, with absolute
 * and relative lift, p-values adjusted across the treatments of each metric, a Gaussian
 * Bayesian read-out, guardrail non-inferiority and the minimum detectable effect.
 */
import {
  adjustPValues,
  bayesianTest,
  isNotEstimable,
  normalCdf,
  normalExpectedLoss,
  normalPosterior,
  normalQuantile,
  type NotEstimable,
} from '../../stats/index.ts';
import type { DecisionConfig } from '../../project/config-schema.ts';
import type { Experiment } from '../../project/types.ts';
import { key, meanStats, overallArm, type ArmStats, type MetricType, type OverallAggregate } from './aggregates.ts';
import { armMean, TEST_NAMES, type Comparison, type ComparisonResult } from './compare.ts';
import { preRegisteredEstimate, rawEstimate } from './estimator.ts';
import { adjustmentMethod, isFavourable, type MetricPlan } from './settings.ts';
import type { AbRow } from '../tables.ts';

type Design = Pick<Experiment, 'control' | 'treatments' | 'alpha' | 'correction'>;

export interface AbInput {
  readonly experiment: Design;
  readonly plans: readonly MetricPlan[];
  readonly aggregates: readonly OverallAggregate[];
  readonly decision: DecisionConfig;
}

const notEstimableCols = (r: NotEstimable) => ({ reason: r.reason, reason_detail: r.detail });

/**
 * Gaussian posterior of the relative lift under a flat prior, oriented so that "beat"
 * means better for the metric. The likelihood is the pre-registered estimator's relative
 * estimate and se (GrowthBook's gbstats does the same with its CUPED-adjusted statistic),
 * so the credible interval and the confidence interval describe one estimate; a binomial
 * metric thereby uses p(1 − p), never a mean's n − 1 sample variance. A raw mean metric
 * keeps bayesianTest (the same normal model over the arm means).
 *
 * A metric with `prior: { mean, sd }` updates that likelihood with N(mean, sd²) on the
 * relative effect (normalPosterior; gbstats' EffectBayesianABTest with a proper relative
 * prior), so the chance to beat control, the credible interval and the posterior lift are
 * shrunk toward the prior mean; without one the prior is flat and nothing changes.
 */
function bayesian(plan: MetricPlan, c: ArmStats, t: ArmStats, alpha: number, relative: ComparisonResult) {
  let mean: number;
  let sd: number;
  if (plan.type !== 'mean' || plan.estimator === 'cuped') {
    if (isNotEstimable(relative)) return { bayes_status: 'not-estimable', bayes_reason: relative.reason };
    mean = relative.estimate;
    sd = relative.se;
  } else {
    const r = bayesianTest(meanStats(c), meanStats(t), { alpha, difference: 'relative' });
    if (isNotEstimable(r)) return { bayes_status: 'not-estimable', bayes_reason: r.reason };
    mean = r.estimate;
    sd = r.posteriorSd;
  }
  const observed = mean;
  const prior = plan.prior ?? null;
  if (prior !== null) {
    const post = normalPosterior(mean, sd * sd, { kind: 'normal', mean: prior.mean, variance: prior.sd * prior.sd });
    mean = post.mean;
    sd = Math.sqrt(post.variance);
  }
  const z = normalQuantile(1 - alpha / 2);
  const up = normalCdf(mean / sd);
  const loss = normalExpectedLoss(mean, sd);
  const increase = plan.direction === 'increase';
  return {
    bayes_status: 'ok',
    bayes_reason: null,
    chance_to_beat_control: increase ? up : 1 - up,
    expected_loss_treatment: increase ? loss.treatment : loss.control,
    expected_loss_control: increase ? loss.control : loss.treatment,
    credible_lower: mean - z * sd,
    credible_upper: mean + z * sd,
    ...(prior === null ? {} : { prior_mean: prior.mean, prior_sd: prior.sd, posterior_lift: mean, likelihood_lift: observed }),
  };
}

/**
 * MDE of the pre-registered two-sided test at the current sample: (z_(1-α/2) + z_power) · se,
 * on the absolute and the relative scale (the inverse of the sample-size formula, e.g.
 * Kohavi, Tang & Xu 2020, ch. 17), so it shrinks with CUPED as the test's own se does.
 */
function mde(absolute: Comparison, relative: Comparison | null, alpha: number, power: number) {
  const k = normalQuantile(1 - alpha / 2) + normalQuantile(power);
  return { mde_absolute: k * absolute.se, mde_relative: relative === null ? null : k * relative.se };
}

/**
 * Guardrail (docs/statistics.md#decision-rules). Harm: the one-sided test in the harmful
 * direction at harmAlpha = alpha / (2 G T), Bonferroni over the G guardrails × T treatments
 * (Kohavi, Tang & Xu 2020, ch. 21: guardrails are a family; Spotify 2024, "Risk-aware
 * product decisions in A/B tests with multiple metrics"), with harm_bound the worst
 * relative effect the data cannot rule out at that level. Non-inferiority at the margin
 * (one-sided, alpha) only when the metric opts in, with the users per arm it would need
 * at the design power when the true effect is zero: n_c (se / (m / (z_(1-α) + z_power)))².
 */
function guardrail(plan: MetricPlan, twoSided: Comparison | null, relative: Comparison | null, controlN: number, ni: Comparison | null, g: GuardrailDesign) {
  const none = { guardrail_margin: plan.margin, noninferiority: plan.noninferiority, noninferiority_p_value: null, noninferiority_bound: null, guardrail_pass: null, guardrail_harm: null, harm_p_value: null, harm_alpha: null, harm_bound: null, ni_n_per_arm: null };
  if (plan.role !== 'guardrail') return { ...none, guardrail_margin: null, noninferiority: null };
  const harmAlpha = g.alpha / (2 * g.guardrails);
  if (twoSided === null) return { ...none, harm_alpha: harmAlpha };
  const harmful = twoSided.estimate !== 0 && !isFavourable(plan.direction, twoSided.estimate);
  const harmP = harmful ? twoSided.pValue / 2 : 1 - twoSided.pValue / 2;
  const z = normalQuantile(1 - harmAlpha);
  const harmBound = relative === null ? null : plan.direction === 'decrease' ? relative.estimate + z * relative.se : relative.estimate - z * relative.se;
  const out = { ...none, guardrail_harm: harmP < harmAlpha, harm_p_value: harmP, harm_alpha: harmAlpha, harm_bound: harmBound };
  if (!plan.noninferiority || ni === null) return out;
  const pass = ni.pValue < g.alpha;
  const needed = relative === null || plan.margin === null || plan.margin === 0 ? null
    : controlN * (relative.se / (plan.margin / (normalQuantile(1 - g.alpha) + normalQuantile(g.power)))) ** 2;
  return {
    ...out,
    noninferiority_p_value: ni.pValue,
    noninferiority_bound: plan.direction === 'increase' ? ni.ci[0] : ni.ci[1],
    guardrail_pass: pass,
    ni_n_per_arm: needed === null ? null : Math.ceil(needed),
  };
}

interface GuardrailDesign {
  readonly alpha: number;
  readonly power: number;
  /** guardrails of the experiment (the harm family) */
  readonly guardrails: number;
}

export function abRows(input: AbInput): AbRow[] {
  const { experiment, plans, decision } = input;
  const alpha = experiment.alpha;
  const method = adjustmentMethod(experiment.correction);
  const m = experiment.treatments.length;
  const mdeAlpha = method && m > 1 ? alpha / m : alpha;
  const aggregates = new Map(input.aggregates.map((a) => [key(a.metric, a.variant), a]));
  const design: GuardrailDesign = { alpha, power: decision.power, guardrails: Math.max(1, plans.filter((p) => p.role === 'guardrail').length) * Math.max(1, m) };
  const rows: AbRow[] = [];
  for (const plan of plans) {
    const metricRows: AbRow[] = [];
    const controlRow = aggregates.get(key(plan.name, experiment.control));
    for (const variant of experiment.treatments) {
      const treatmentRow = aggregates.get(key(plan.name, variant));
      const base = {
        metric: plan.name,
        metric_type: plan.type,
        metric_role: plan.role,
        direction: plan.direction,
        control_variant: experiment.control,
        variant,
        test: plan.estimator === 'cuped' ? 'cuped-z' : TEST_NAMES[plan.type as MetricType],
        correction: method ?? 'none',
        alpha,
        is_guardrail: plan.role === 'guardrail',
        mde_power: decision.power,
        estimator: plan.estimator,
        ...(controlRow?.value_cap != null || controlRow?.value_floor != null ? { value_floor: controlRow.value_floor ?? null, value_cap: controlRow.value_cap ?? null } : {}),
      };
      if (!controlRow || !treatmentRow) {
        metricRows.push(emptyRow({ ...base, control_n: controlRow?.n ?? null, treatment_n: treatmentRow?.n ?? null }, 'NO_AGGREGATES',
          `metric_aggregates_overall has no row for ${plan.name} × ${controlRow ? variant : experiment.control}`));
        continue;
      }
      const c = overallArm(controlRow);
      const t = overallArm(treatmentRow);
      const counts = { ...base, control_n: c.n, treatment_n: t.n };
      const rowsOf = { control: controlRow, treatment: treatmentRow };
      const armsOf = { control: c, treatment: t };
      const absolute = preRegisteredEstimate(plan, rowsOf, armsOf, { alpha, difference: 'absolute' });
      if (isNotEstimable(absolute)) {
        const g = guardrail(plan, null, null, c.n, null, design);
        metricRows.push({ ...emptyRow(counts, absolute.reason, absolute.detail), control_mean: armMean(plan.type, c), treatment_mean: armMean(plan.type, t), ...g });
        continue;
      }
      const relative = preRegisteredEstimate(plan, rowsOf, armsOf, { alpha, difference: 'relative' });
      const raw = plan.estimator === 'raw' ? relative : rawEstimate(plan, c, t, { alpha, difference: 'relative' });
      const rawAbsolute = plan.estimator === 'raw' ? absolute : rawEstimate(plan, c, t, { alpha, difference: 'absolute' });
      const ni = plan.noninferiority && plan.margin !== null
        ? preRegisteredEstimate(plan, rowsOf, armsOf, { alpha, difference: 'relative', alternative: plan.direction === 'increase' ? 'greater' : 'less', margin: plan.margin })
        : null;
      const rel = isNotEstimable(relative) ? null : relative;
      metricRows.push({
        ...counts,
        status: 'ok',
        reason: null,
        reason_detail: null,
        control_mean: absolute.controlMean,
        treatment_mean: absolute.treatmentMean,
        absolute_lift: absolute.estimate,
        absolute_se: absolute.se,
        absolute_ci_lower: absolute.ci[0],
        absolute_ci_upper: absolute.ci[1],
        ...(isNotEstimable(relative)
          ? { relative_status: 'not-estimable', relative_reason: relative.reason, relative_lift: null, relative_se: null, relative_ci_lower: null, relative_ci_upper: null }
          : { relative_status: 'ok', relative_reason: null, relative_lift: relative.estimate, relative_se: relative.se, relative_ci_lower: relative.ci[0], relative_ci_upper: relative.ci[1] }),
        statistic: absolute.statistic,
        df: absolute.df,
        p_value: absolute.pValue,
        p_value_adjusted: absolute.pValue,
        significant: false,
        outcome: 'inconclusive',
        ...bayesian(plan, c, t, alpha, relative),
        ...guardrail(plan, absolute, rel, c.n, ni && !isNotEstimable(ni) ? ni : null, design),
        estimator: plan.estimator,
        raw_relative_lift: isNotEstimable(raw) ? null : raw.estimate,
        raw_relative_ci_lower: isNotEstimable(raw) ? null : raw.ci[0],
        raw_relative_ci_upper: isNotEstimable(raw) ? null : raw.ci[1],
        raw_p_value: isNotEstimable(rawAbsolute) ? null : rawAbsolute.pValue,
        ...mde(absolute, rel, mdeAlpha, decision.power),
      });
    }
    adjust(metricRows, method);
    for (const r of metricRows) {
      if (r.status !== 'ok') continue;
      r.significant = (r.p_value_adjusted as number) < alpha;
      r.outcome = !r.significant ? 'inconclusive' : isFavourable(plan.direction, r.absolute_lift as number) ? 'better' : 'worse';
    }
    rows.push(...metricRows);
  }
  return rows;
}

/** Holm / Bonferroni / BH across the treatments of one metric (the A/B/n family). */
function adjust(rows: AbRow[], method: ReturnType<typeof adjustmentMethod>): void {
  const ok = rows.filter((r) => r.status === 'ok');
  if (!method || ok.length < 2) return;
  const adjusted = adjustPValues(ok.map((r) => r.p_value as number), method);
  ok.forEach((r, i) => { r.p_value_adjusted = adjusted[i] as number; });
}

function emptyRow(base: Omit<AbRow, 'status' | 'reason' | 'reason_detail'> | Record<string, unknown>, reason: string, detail: string): AbRow {
  return {
    ...base,
    status: 'not-estimable',
    ...notEstimableCols({ status: 'not-estimable', reason: reason as NotEstimable['reason'], detail }),
    relative_status: 'not-estimable',
    relative_reason: reason,
    significant: null,
    outcome: null,
    bayes_status: 'not-estimable',
    bayes_reason: reason,
  } as AbRow;
}
