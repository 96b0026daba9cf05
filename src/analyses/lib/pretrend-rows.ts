/**
 * The rows of did_pretrend_delta and did_pretrend_tests (pure): the daily treatment − control
 * difference of each metric over the pre period (parallel trends: it should be flat at 0)
 * and the window, and the pre-trend tests of src/stats/pre-trend.ts on the pre days.
 */
import { isNotEstimable, normalQuantile, preTrendTest, type PreTrendDay } from '../../stats/index.ts';
import type { Experiment } from '../../project/types.ts';
import { dailyArm, type DailyAggregate } from './aggregates.ts';
import { compare } from './compare.ts';
import { PRETREND_MIN_DAYS, type MetricPlan } from './settings.ts';
import type { PretrendDeltaRow, PretrendTestRow } from '../tables.ts';

export interface PretrendInput {
  readonly experiment: Pick<Experiment, 'control' | 'treatments' | 'alpha'>;
  readonly plans: readonly MetricPlan[];
  readonly daily: readonly DailyAggregate[];
  readonly minDays?: number;
}

export interface PretrendOutput {
  readonly deltas: PretrendDeltaRow[];
  readonly tests: PretrendTestRow[];
}

export function pretrendRows(input: PretrendInput): PretrendOutput {
  const { experiment } = input;
  const alpha = experiment.alpha;
  const minDays = input.minDays ?? PRETREND_MIN_DAYS;
  const z = normalQuantile(1 - alpha / 2);
  const deltas: PretrendDeltaRow[] = [];
  const tests: PretrendTestRow[] = [];
  for (const plan of input.plans) {
    // quantiles are computed over the whole period only: no daily series to test
    if (plan.type === 'quantile') continue;
    const days = (variant: string) => new Map(input.daily.filter((d) => d.metric === plan.name && d.variant === variant).map((d) => [d.day_index, d]));
    const controlDays = days(experiment.control);
    for (const variant of experiment.treatments) {
      const treatmentDays = days(variant);
      const preDays: PreTrendDay[] = [];
      let preTotal = 0;
      for (const dayIndex of [...controlDays.keys()].sort((a, b) => a - b)) {
        const c = controlDays.get(dayIndex)!;
        const t = treatmentDays.get(dayIndex);
        if (!t) continue;
        if (c.period === 'pre') preTotal++;
        const base: PretrendDeltaRow = {
          metric: plan.name, metric_type: plan.type, control_variant: experiment.control, variant,
          day: c.day, day_index: dayIndex, period: c.period, control_n: c.n_daily, treatment_n: t.n_daily,
        };
        const r = compare(plan.type, dailyArm(c), dailyArm(t), { alpha, difference: 'absolute' });
        if (isNotEstimable(r)) {
          deltas.push({ ...base, status: 'not-estimable', reason: r.reason, reason_detail: r.detail });
          continue;
        }
        deltas.push({
          ...base, status: 'ok', reason: null, reason_detail: null,
          control_mean: r.controlMean, treatment_mean: r.treatmentMean,
          delta: r.estimate, se: r.se, ci_lower: r.estimate - z * r.se, ci_upper: r.estimate + z * r.se,
        });
        if (c.period === 'pre' && r.se > 0) preDays.push({ day: dayIndex, delta: r.estimate, se: r.se });
      }
      tests.push(testRow(plan, experiment.control, variant, preDays, preTotal, { alpha, minDays }));
    }
  }
  return { deltas, tests };
}

/**
 * Verdict 'fail' when either test rejects at alpha / 2 (Bonferroni over the slope and the
 * joint test), 'pass' otherwise; null when not estimable.
 */
function testRow(plan: MetricPlan, control: string, variant: string, days: readonly PreTrendDay[], preTotal: number, cfg: { alpha: number; minDays: number }): PretrendTestRow {
  const base: PretrendTestRow = {
    metric: plan.name, metric_type: plan.type, control_variant: control, variant,
    pre_days: preTotal, days_used: days.length, min_days: cfg.minDays, alpha: cfg.alpha,
  };
  const r = preTrendTest(days, cfg);
  if (isNotEstimable(r)) return { ...base, status: 'not-estimable', reason: r.reason, reason_detail: r.detail, verdict: null };
  const fail = Math.min(r.slope.pValue, r.joint.pValue) < cfg.alpha / 2;
  return {
    ...base, status: 'ok', reason: null, reason_detail: null,
    verdict: fail ? 'fail' : 'pass',
    slope: r.slope.estimate, slope_se: r.slope.se, slope_ci_lower: r.slope.ci[0], slope_ci_upper: r.slope.ci[1], slope_p_value: r.slope.pValue,
    joint_chi2: r.joint.chi2, joint_df: r.joint.df, joint_p_value: r.joint.pValue,
  };
}
