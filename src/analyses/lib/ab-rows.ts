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
  minimumDetectableEffect,
  normalCdf,
  normalExpectedLoss,
  normalQuantile,
  type NotEstimable,
} from '../../stats/index.ts';
import type { DecisionConfig } from '../../project/config-schema.ts';
import type { Experiment } from '../../project/types.ts';
import { key, meanStats, overallArm, type ArmStats, type MetricType, type OverallAggregate } from './aggregates.ts';
import { armMean, compare, TEST_NAMES, type Comparison } from './compare.ts';
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

/** Gaussian posterior of the relative lift, oriented so that "beat" means better for the metric. */
function bayesian(plan: MetricPlan, c: ArmStats, t: ArmStats, alpha: number) {
  let mean: number;
  let sd: number;
  if (plan.type === 'ratio') {
    const r = compare('ratio', c, t, { alpha, difference: 'relative' });
    if (isNotEstimable(r)) return { bayes_status: 'not-estimable', bayes_reason: r.reason };
    mean = r.estimate;
    sd = r.se;
  } else {
    const stats = (a: ArmStats) => (plan.type === 'binomial' ? { n: a.n, sum: a.sum, sumSquares: a.sum } : meanStats(a));
    const r = bayesianTest(stats(c), stats(t), { alpha, difference: 'relative' });
    if (isNotEstimable(r)) return { bayes_status: 'not-estimable', bayes_reason: r.reason };
    mean = r.estimate;
    sd = r.posteriorSd;
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
  };
}

/**
 * Per-arm sd of a ratio of sums by the delta method (Deng et al. 2018, eq. 2):
 * n Var R = s_xx/ybar^2 - 2 R s_xy/ybar^2 + R^2 s_yy/ybar^2.
 */
function ratioUnitSd(a: ArmStats): number | null {
  const { n } = a;
  const dy = a.denominatorSum ?? 0;
  if (n < 2 || dy === 0) return null;
  const mx = a.sum / n;
  const my = dy / n;
  const sxx = (a.sumSquares - n * mx * mx) / (n - 1);
  const syy = ((a.denominatorSumSquares ?? 0) - n * my * my) / (n - 1);
  const sxy = ((a.numeratorDenominatorSum ?? 0) - n * mx * my) / (n - 1);
  const r = mx / my;
  const v = (sxx - 2 * r * sxy + r * r * syy) / (my * my);
  return v > 0 ? Math.sqrt(v) : null;
}

/** MDE of the two-sided test at the current sample sizes (ratio n_t / n_c), relative to the control. */
function mde(plan: MetricPlan, c: ArmStats, t: ArmStats, alpha: number, power: number) {
  const none = { mde_absolute: null, mde_relative: null };
  if (c.n < 2 || t.n < 2) return none;
  const cfg = { alpha, power, ratio: t.n / c.n, sided: 2 as const };
  const mean = armMean(plan.type, c);
  if (mean === null) return none;
  let r;
  if (plan.type === 'binomial') {
    if (!(mean > 0 && mean < 1)) return none;
    r = minimumDetectableEffect({ metric: 'proportion', baseline: mean, controlN: c.n }, cfg);
  } else {
    const sd = plan.type === 'ratio' ? ratioUnitSd(c) : Math.sqrt(Math.max(0, (c.sumSquares - (c.sum * c.sum) / c.n) / (c.n - 1)));
    if (sd === null || !(sd > 0)) return none;
    r = minimumDetectableEffect({ metric: 'mean', sd, controlN: c.n, mean }, cfg);
  }
  return isNotEstimable(r) ? none : { mde_absolute: r.absolute, mde_relative: r.relative };
}

/** Guardrail: one-sided non-inferiority of the relative lift at the margin, and clear harm. */
function guardrail(plan: MetricPlan, c: ArmStats, t: ArmStats, alpha: number, twoSided: Comparison | null) {
  if (plan.role !== 'guardrail' || plan.margin === null) {
    return { guardrail_margin: null, noninferiority_p_value: null, noninferiority_bound: null, guardrail_pass: null, guardrail_harm: null };
  }
  const alternative = plan.direction === 'increase' ? 'greater' : 'less';
  const ni = compare(plan.type, c, t, { alpha, difference: 'relative', alternative, margin: plan.margin });
  const harm = twoSided === null ? null : twoSided.pValue < alpha && !isFavourable(plan.direction, twoSided.estimate) && twoSided.estimate !== 0;
  if (isNotEstimable(ni)) {
    return { guardrail_margin: plan.margin, noninferiority_p_value: null, noninferiority_bound: null, guardrail_pass: null, guardrail_harm: harm };
  }
  return {
    guardrail_margin: plan.margin,
    noninferiority_p_value: ni.pValue,
    noninferiority_bound: alternative === 'greater' ? ni.ci[0] : ni.ci[1],
    guardrail_pass: ni.pValue < alpha,
    guardrail_harm: harm,
  };
}

export function abRows(input: AbInput): AbRow[] {
  const { experiment, plans, decision } = input;
  const alpha = experiment.alpha;
  const method = adjustmentMethod(experiment.correction);
  const m = experiment.treatments.length;
  const mdeAlpha = method && m > 1 ? alpha / m : alpha;
  const aggregates = new Map(input.aggregates.map((a) => [key(a.metric, a.variant), a]));
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
        test: TEST_NAMES[plan.type as MetricType],
        correction: method ?? 'none',
        alpha,
        is_guardrail: plan.role === 'guardrail',
        mde_power: decision.power,
      };
      if (!controlRow || !treatmentRow) {
        metricRows.push(emptyRow({ ...base, control_n: controlRow?.n ?? null, treatment_n: treatmentRow?.n ?? null }, 'NO_AGGREGATES',
          `metric_aggregates_overall has no row for ${plan.name} × ${controlRow ? variant : experiment.control}`));
        continue;
      }
      const c = overallArm(controlRow);
      const t = overallArm(treatmentRow);
      const counts = { ...base, control_n: c.n, treatment_n: t.n };
      const absolute = compare(plan.type, c, t, { alpha, difference: 'absolute' });
      if (isNotEstimable(absolute)) {
        const g = guardrail(plan, c, t, alpha, null);
        metricRows.push({ ...emptyRow(counts, absolute.reason, absolute.detail), control_mean: armMean(plan.type, c), treatment_mean: armMean(plan.type, t), ...g });
        continue;
      }
      const relative = compare(plan.type, c, t, { alpha, difference: 'relative' });
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
        ...bayesian(plan, c, t, alpha),
        ...guardrail(plan, c, t, alpha, absolute),
        ...mde(plan, c, t, mdeAlpha, decision.power),
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
