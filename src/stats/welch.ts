/**
 * Two-sample tests of means from per-arm (n, sum, sum of squares): Welch's t-test and its
 * large-sample z-test twin, for the absolute difference or the relative lift, two- or
 * one-sided, with an optional non-inferiority margin.
 */
import { contrast, NORMAL, satterthwaiteDf, validateTestConfig, waldInference, type Reference } from './inference.ts';
import { armMoments } from './moments.ts';
import {
  defaultTestConfig,
  isNotEstimable,
  notEstimable,
  type Interval,
  type MeanStats,
  type NotEstimable,
  type TestConfig,
} from './types.ts';

export type MeanTestConfig = TestConfig;
export const defaultMeanTestConfig: MeanTestConfig = defaultTestConfig;

export interface MeanTestOk {
  readonly status: 'ok';
  /** mean_t - mean_c, or (mean_t - mean_c) / |mean_c| for the relative lift */
  readonly estimate: number;
  readonly se: number;
  readonly ci: Interval;
  readonly pValue: number;
  /** (estimate - null effect) / se */
  readonly statistic: number;
  /** Welch-Satterthwaite degrees of freedom; null for the z-test */
  readonly df: number | null;
  readonly controlMean: number;
  readonly treatmentMean: number;
}

export type MeanTestResult = MeanTestOk | NotEstimable;

function meanTest(
  control: MeanStats,
  treatment: MeanStats,
  config: Partial<MeanTestConfig>,
  reference: 'normal' | 't',
  label: string,
): MeanTestResult {
  const cfg: MeanTestConfig = { ...defaultMeanTestConfig, ...config };
  validateTestConfig(cfg, label);
  const c = armMoments(control, `${label}: control`);
  if (isNotEstimable(c)) return c;
  const t = armMoments(treatment, `${label}: treatment`);
  if (isNotEstimable(t)) return t;
  const diff = contrast(
    { estimate: c.mean, variance: c.variance / c.n },
    { estimate: t.mean, variance: t.variance / t.n },
    cfg.difference,
    label,
  );
  if (isNotEstimable(diff)) return diff;
  if (!(diff.variance > 0)) return notEstimable('ZERO_VARIANCE', `${label}: both arms have zero variance`);
  const se = Math.sqrt(diff.variance);
  const df =
    reference === 't'
      ? satterthwaiteDf([
          [diff.treatmentComponent, t.n],
          [diff.controlComponent, c.n],
        ])
      : null;
  const ref: Reference = df === null ? NORMAL : { kind: 't', df };
  const inference = waldInference(diff.estimate, se, cfg, ref);
  return {
    status: 'ok',
    estimate: diff.estimate,
    se,
    ci: inference.ci,
    pValue: inference.pValue,
    statistic: inference.statistic,
    df,
    controlMean: c.mean,
    treatmentMean: t.mean,
  };
}

/**
 * Welch's unequal-variance t-test (Welch 1947).
 *   absolute: d = ybar_t - ybar_c,  se^2 = s_t^2/n_t + s_c^2/n_c
 *   relative: d = (ybar_t - ybar_c)/|ybar_c|, se^2 = s_t^2/(n_t ybar_c^2) + ybar_t^2 s_c^2/(n_c ybar_c^4)
 *             (delta method; Deng, Knoblich & Lu 2018, "Applying the Delta Method in Metric
 *             Analytics", section 3)
 *   df = (c_t + c_c)^2 / (c_t^2/(n_t - 1) + c_c^2/(n_c - 1)), c_t and c_c the two terms of
 *        se^2 (Welch-Satterthwaite; Satterthwaite 1946)
 *   p and ci from Student's t with df; with a margin m > 0 the statistic is (d + m)/se for
 *   'greater' (H0: d <= -m) and (d - m)/se for 'less' (H0: d >= m).
 * Not estimable: EMPTY_VARIANT (n = 0), INSUFFICIENT_DATA (n = 1), ZERO_VARIANCE (se = 0),
 * ZERO_BASELINE (relative lift over a control mean of 0).
 */
export function welchTest(control: MeanStats, treatment: MeanStats, config: Partial<MeanTestConfig> = {}): MeanTestResult {
  return meanTest(control, treatment, config, 't', 'welchTest');
}

/**
 * Two-sample z-test of means: the same estimate and standard error as welchTest, referred
 * to the standard normal (the large-sample test of Kohavi, Tang & Xu 2020, "Trustworthy
 * Online Controlled Experiments", chapter 17). df is null.
 */
export function zTestMeans(control: MeanStats, treatment: MeanStats, config: Partial<MeanTestConfig> = {}): MeanTestResult {
  return meanTest(control, treatment, config, 'normal', 'zTestMeans');
}
