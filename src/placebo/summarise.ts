/**
 * What K placebo replicates say about the analysis (pure): per metric the false-positive
 * rate (a treatment significant after the experiment's correction, where no effect
 * exists by construction) with its Wilson interval and the 99% binomial band around
 * alpha it must fall in, the mean and variance of the test statistic with the 99% band
 * of a N(0, 1) sample variance, and the rate of each decision code.
 */
import type { MetricPlan } from '../analyses/lib/settings.ts';
import { DECISION_CODES, type ReplicateOutcome } from './decision-input.ts';
import { binomialBand, varianceBand, wilsonInterval, type Interval } from './tolerance.ts';

/** Level of the tolerance bands: a calibrated pipeline falls outside one with probability <= 1%. */
export const TOLERANCE_LEVEL = 0.99;
/** Level of the reported interval of each false-positive rate. */
export const CI_LEVEL = 0.95;

export interface MetricCalibration {
  readonly metric: string;
  readonly role: MetricPlan['role'];
  readonly type: MetricPlan['type'];
  readonly estimator: string;
  /** replicates in which some treatment comparison was estimable */
  readonly replicates: number;
  /** replicates in which none was */
  readonly not_estimable: number;
  readonly false_positives: number;
  readonly false_positive_rate: number | null;
  readonly false_positive_ci: Interval | null;
  /** [lo, hi] rates: the central 99% of Binomial(replicates, alpha) / replicates */
  readonly false_positive_band: Interval | null;
  readonly z_mean: number | null;
  readonly z_variance: number | null;
  /** the central 99% of the sample variance of N(0, 1) values, df = replicates − 1 */
  readonly z_variance_band: Interval | null;
  readonly ok: boolean;
}

export interface DecisionRate {
  readonly decision: (typeof DECISION_CODES)[number];
  readonly count: number;
  readonly rate: number;
}

export interface Calibration {
  readonly metrics: readonly MetricCalibration[];
  readonly decisions: readonly DecisionRate[];
  /** one sentence per rate outside its tolerance */
  readonly failures: readonly string[];
}

const inside = (x: number, [lo, hi]: Interval): boolean => x >= lo && x <= hi;

function metricCalibration(plan: MetricPlan, outcomes: readonly ReplicateOutcome[], alpha: number): MetricCalibration {
  let replicates = 0;
  let positives = 0;
  const zs: number[] = [];
  for (const o of outcomes) {
    const rows = o.rows.filter((r) => r.metric === plan.name && r.status === 'ok');
    if (!rows.length) continue;
    replicates++;
    if (rows.some((r) => r.significant === true)) positives++;
    for (const r of rows) if (typeof r.statistic === 'number' && Number.isFinite(r.statistic)) zs.push(r.statistic);
  }
  const mean = zs.length ? zs.reduce((a, b) => a + b, 0) / zs.length : null;
  const variance = mean !== null && zs.length >= 2 ? zs.reduce((a, z) => a + (z - mean) ** 2, 0) / (zs.length - 1) : null;
  const rate = replicates ? positives / replicates : null;
  const counts = replicates ? binomialBand(replicates, alpha, TOLERANCE_LEVEL) : null;
  const band: Interval | null = counts ? [counts[0] / replicates, counts[1] / replicates] : null;
  // with several treatments the z's of one replicate share its control: the band of
  // `replicates` independent values is the wider, conservative one
  const zBand = replicates >= 2 ? varianceBand(replicates, TOLERANCE_LEVEL) : null;
  const ok = (rate === null || band === null || inside(rate, band)) && (variance === null || zBand === null || inside(variance, zBand));
  return {
    metric: plan.name, role: plan.role, type: plan.type, estimator: plan.estimator,
    replicates, not_estimable: outcomes.length - replicates, false_positives: positives,
    false_positive_rate: rate, false_positive_ci: replicates ? wilsonInterval(positives, replicates, CI_LEVEL) : null,
    false_positive_band: band, z_mean: mean, z_variance: variance, z_variance_band: zBand, ok,
  };
}

const f3 = (x: number): string => x.toFixed(3);

export function summarise(plans: readonly MetricPlan[], outcomes: readonly ReplicateOutcome[], alpha: number): Calibration {
  const metrics = plans.map((p) => metricCalibration(p, outcomes, alpha));
  const decisions = DECISION_CODES.map((decision) => {
    const count = outcomes.filter((o) => o.decision === decision).length;
    return { decision, count, rate: outcomes.length ? count / outcomes.length : 0 };
  });
  const failures: string[] = [];
  for (const m of metrics) {
    if (m.false_positive_rate !== null && m.false_positive_band && !inside(m.false_positive_rate, m.false_positive_band)) {
      failures.push(`${m.metric}: false-positive rate ${f3(m.false_positive_rate)} (${m.false_positives}/${m.replicates}) is outside [${f3(m.false_positive_band[0])}, ${f3(m.false_positive_band[1])}], the ${TOLERANCE_LEVEL * 100}% band around alpha ${alpha}`);
    }
    if (m.z_variance !== null && m.z_variance_band && !inside(m.z_variance, m.z_variance_band)) {
      failures.push(`${m.metric}: z variance ${f3(m.z_variance)} is outside [${f3(m.z_variance_band[0])}, ${f3(m.z_variance_band[1])}], the ${TOLERANCE_LEVEL * 100}% band of a N(0, 1) sample`);
    }
  }
  return { metrics, decisions, failures };
}
