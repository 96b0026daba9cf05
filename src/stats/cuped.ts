/**
 * CUPED: variance reduction with a pre-experiment covariate (Deng, Xu, Kohavi & Walker 2013,
 * "Improving the Sensitivity of Online Controlled Experiments by Utilizing Pre-Experiment
 * Data", WSDM).
 */
import { contrast, NORMAL, validateTestConfig, waldInference } from './inference.ts';
import { assertCount, assertFinite, sampleCovariance, sampleVariance } from './moments.ts';
import {
  defaultTestConfig,
  isNotEstimable,
  notEstimable,
  type CupedStats,
  type Interval,
  type NotEstimable,
  type TestConfig,
} from './types.ts';

export type CupedTestConfig = TestConfig;
export const defaultCupedTestConfig: CupedTestConfig = defaultTestConfig;

export interface CupedUnadjusted {
  readonly estimate: number;
  readonly se: number;
  readonly ci: Interval;
  readonly pValue: number;
}

export interface CupedTestOk {
  readonly status: 'ok';
  /** pooled regression coefficient of y on x */
  readonly theta: number;
  readonly estimate: number;
  readonly se: number;
  readonly ci: Interval;
  readonly pValue: number;
  readonly statistic: number;
  /** 1 - Var(adjusted estimate) / Var(unadjusted estimate) */
  readonly varianceReduction: number;
  /** raw (unadjusted) arm means of y */
  readonly controlMean: number;
  readonly treatmentMean: number;
  /** the same comparison without the covariate (z-test on y alone) */
  readonly unadjusted: CupedUnadjusted;
}

export type CupedTestResult = CupedTestOk | NotEstimable;

interface CupedArm {
  readonly n: number;
  readonly meanY: number;
  readonly meanX: number;
  readonly syy: number;
  readonly sxx: number;
  readonly sxy: number;
}

function cupedArm(stats: CupedStats, label: string): CupedArm | NotEstimable {
  assertCount(stats.n, label);
  assertFinite(
    { sum: stats.sum, sumSquares: stats.sumSquares, preSum: stats.preSum, preSumSquares: stats.preSumSquares, sumPreProduct: stats.sumPreProduct },
    label,
  );
  const { n } = stats;
  if (n === 0) return notEstimable('EMPTY_VARIANT', `${label} has no units`);
  if (n === 1) return notEstimable('INSUFFICIENT_DATA', `${label} has a single unit; its variance is not estimable`);
  return {
    n,
    meanY: stats.sum / n,
    meanX: stats.preSum / n,
    syy: sampleVariance(n, stats.sum, stats.sumSquares, `${label} metric`),
    sxx: sampleVariance(n, stats.preSum, stats.preSumSquares, `${label} covariate`),
    sxy: sampleCovariance(n, stats.sum, stats.preSum, stats.sumPreProduct, Math.sqrt(Math.abs(stats.sumSquares * stats.preSumSquares))),
  };
}

/**
 * CUPED test.
 *   theta = cov(y, x) / var(x) over the pooled units of both arms (Deng et al. 2013,
 *     section 3.2 eq. 4 and section 3.3: "theta estimated from the pooled data")
 *   adjusted arm mean A = ybar - theta xbar (the common theta E[x] cancels in the contrast)
 *   Var A = (s_yy - 2 theta s_xy + theta^2 s_xx) / n (theta treated as known, section 3.2)
 *   absolute: d = A_t - A_c, Var d = Var A_t + Var A_c
 *   relative: d = (A_t - A_c) / |ybar_c|; delta method with gradient (1, -theta) / ybar_c for
 *     (ybar_t, xbar_t) and (-(1 + f0), theta) / ybar_c for (ybar_c, xbar_c), f0 = (A_t - A_c) / ybar_c:
 *     Var d = Var A_t / ybar_c^2 + [(1+f0)^2 s_yy - 2 (1+f0) theta s_xy + theta^2 s_xx]_c / (n_c ybar_c^2)
 *   p-value and interval from the normal distribution; varianceReduction = 1 - Var d / Var d_unadjusted
 *     (about rho^2, the squared correlation of y and x).
 * Not estimable: EMPTY_VARIANT, INSUFFICIENT_DATA (n = 1), NO_COVARIATE (pooled var(x) = 0),
 * ZERO_VARIANCE (zero variance with or without adjustment), ZERO_BASELINE (relative, ybar_c = 0).
 */
export function cupedTest(control: CupedStats, treatment: CupedStats, config: Partial<CupedTestConfig> = {}): CupedTestResult {
  const label = 'cupedTest';
  const cfg: CupedTestConfig = { ...defaultCupedTestConfig, ...config };
  validateTestConfig(cfg, label);
  const c = cupedArm(control, `${label}: control`);
  if (isNotEstimable(c)) return c;
  const t = cupedArm(treatment, `${label}: treatment`);
  if (isNotEstimable(t)) return t;

  const n = control.n + treatment.n;
  const sumX = control.preSum + treatment.preSum;
  const sumY = control.sum + treatment.sum;
  const pooledVarX = sampleVariance(n, sumX, control.preSumSquares + treatment.preSumSquares, `${label} pooled covariate`);
  if (!(pooledVarX > 0)) return notEstimable('NO_COVARIATE', `${label}: the covariate has zero variance, so it cannot reduce any`);
  const pooledCov = sampleCovariance(
    n,
    sumY,
    sumX,
    control.sumPreProduct + treatment.sumPreProduct,
    Math.sqrt(Math.abs((control.sumSquares + treatment.sumSquares) * (control.preSumSquares + treatment.preSumSquares))),
  );
  const theta = pooledCov / pooledVarX;

  const unadjusted = contrast(
    { estimate: c.meanY, variance: c.syy / c.n },
    { estimate: t.meanY, variance: t.syy / t.n },
    cfg.difference,
    label,
  );
  if (isNotEstimable(unadjusted)) return unadjusted;
  if (!(unadjusted.variance > 0)) return notEstimable('ZERO_VARIANCE', `${label}: the metric has zero variance in both arms`);

  const adjustedVariance = (arm: CupedArm): number => Math.max(0, arm.syy - 2 * theta * arm.sxy + theta * theta * arm.sxx) / arm.n;
  const delta = t.meanY - theta * t.meanX - (c.meanY - theta * c.meanX);
  let estimate: number;
  let variance: number;
  if (cfg.difference === 'absolute') {
    estimate = delta;
    variance = adjustedVariance(t) + adjustedVariance(c);
  } else {
    const yc = c.meanY;
    const f0 = delta / yc;
    const k = 1 + f0;
    const controlPart = Math.max(0, k * k * c.syy - 2 * k * theta * c.sxy + theta * theta * c.sxx) / c.n;
    estimate = delta / Math.abs(yc);
    variance = (adjustedVariance(t) + controlPart) / (yc * yc);
  }
  if (!(variance > 0)) return notEstimable('ZERO_VARIANCE', `${label}: the covariate explains the metric exactly; the adjusted variance is zero`);
  const se = Math.sqrt(variance);
  const inference = waldInference(estimate, se, cfg, NORMAL);
  const unadjustedSe = Math.sqrt(unadjusted.variance);
  const unadjustedInference = waldInference(unadjusted.estimate, unadjustedSe, cfg, NORMAL);
  return {
    status: 'ok',
    theta,
    estimate,
    se,
    ci: inference.ci,
    pValue: inference.pValue,
    statistic: inference.statistic,
    varianceReduction: 1 - variance / unadjusted.variance,
    controlMean: c.meanY,
    treatmentMean: t.meanY,
    unadjusted: {
      estimate: unadjusted.estimate,
      se: unadjustedSe,
      ci: unadjustedInference.ci,
      pValue: unadjustedInference.pValue,
    },
  };
}
