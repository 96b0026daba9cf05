/**
 * Two-sample test of proportions from per-arm (n, successes): score-test p-value (the
 * pooled z-test when there is no margin), Wald or Newcombe interval for the absolute
 * difference, Katz log risk-ratio interval for the relative lift.
 */
import { normalQuantile } from './distributions.ts';
import { nullEffect, NORMAL, pValueOf, validateTestConfig } from './inference.ts';
import { assertCount } from './moments.ts';
import {
  defaultTestConfig,
  notEstimable,
  type Alternative,
  type Interval,
  type NotEstimable,
  type ProportionStats,
  type TestConfig,
} from './types.ts';

export interface ProportionTestConfig extends TestConfig {
  /** interval for the absolute difference; the relative lift always uses the log risk ratio */
  readonly ci: 'wald' | 'newcombe';
}

export const defaultProportionTestConfig: ProportionTestConfig = { ...defaultTestConfig, ci: 'newcombe' };

export interface ProportionTestOk {
  readonly status: 'ok';
  /** p_t - p_c, or p_t / p_c - 1 for the relative lift */
  readonly estimate: number;
  /** unpooled standard error of the estimate (delta method for the relative lift) */
  readonly se: number;
  readonly ci: Interval;
  readonly pValue: number;
  /** score statistic */
  readonly statistic: number;
  readonly controlRate: number;
  readonly treatmentRate: number;
}

export type ProportionTestResult = ProportionTestOk | NotEstimable;

interface Arm {
  readonly n: number;
  readonly x: number;
  readonly p: number;
}

function quantileFor(alpha: number, alternative: Alternative): number {
  return normalQuantile(alternative === 'two-sided' ? 1 - alpha / 2 : 1 - alpha);
}

function sided(lower: number, upper: number, alternative: Alternative): Interval {
  if (alternative === 'greater') return [lower, null];
  if (alternative === 'less') return [null, upper];
  return [lower, upper];
}

/**
 * Restricted maximum-likelihood rates under H0: p_t - p_c = delta, by the closed-form root
 * of the likelihood cubic (Miettinen & Nurminen 1985, Statistics in Medicine 4:213,
 * Appendix 1; Farrington & Manning 1990, Statistics in Medicine 9:1447, section 2.1).
 */
function restrictedRatesForDifference(t: Arm, c: Arm, delta: number): readonly [pt: number, pc: number] {
  if (delta === 0) {
    const pooled = (t.x + c.x) / (t.n + c.n);
    return [pooled, pooled];
  }
  const n = t.n + c.n;
  const successes = t.x + c.x;
  const l3 = n;
  const l2 = (t.n + 2 * c.n) * delta - n - successes;
  const l1 = (c.n * delta - n - 2 * c.x) * delta + successes;
  const l0 = c.x * delta * (1 - delta);
  const third = l2 / (3 * l3);
  const q = third * third * third - (l1 * l2) / (6 * l3 * l3) + l0 / (2 * l3);
  const r = (q < 0 ? -1 : 1) * Math.sqrt(Math.max(0, third * third - l1 / (3 * l3)));
  const cosArg = r === 0 ? 0 : Math.max(-1, Math.min(1, q / (r * r * r)));
  const a = (Math.PI + Math.acos(cosArg)) / 3;
  const pc = 2 * r * Math.cos(a) - third;
  return [pc + delta, pc];
}

/**
 * Restricted MLE under H0: p_t / p_c = rr, the smaller root of the likelihood quadratic
 * (Farrington & Manning 1990, section 2.2; Miettinen & Nurminen 1985, Appendix 2).
 */
function restrictedRatesForRatio(t: Arm, c: Arm, rr: number): readonly [pt: number, pc: number] {
  const a = (t.n + c.n) * rr;
  const b = -(t.n * rr + t.x + c.n + c.x * rr);
  const cc = t.x + c.x;
  const pc = (-b - Math.sqrt(Math.max(0, b * b - 4 * a * cc))) / (2 * a);
  return [rr * pc, pc];
}

/**
 * Wilson score interval for one proportion (Wilson 1927):
 * (x + z^2/2)/(n + z^2) +- z sqrt(n) sqrt(p(1-p) + z^2/(4n)) / (n + z^2).
 */
/** x successes in n trials, two-sided at `level` (the interval `xp aa` reports for its rates). */
export function wilsonInterval(x: number, n: number, level = 0.95): readonly [number, number] {
  if (!(n > 0) || x < 0 || x > n) throw new RangeError(`wilsonInterval: ${x} of ${n}`);
  return wilson({ x, n, p: x / n }, normalQuantile(1 - (1 - level) / 2));
}

function wilson(arm: Pick<Arm, 'x' | 'n' | 'p'>, z: number): readonly [number, number] {
  const z2 = z * z;
  const centre = (arm.x + z2 / 2) / (arm.n + z2);
  const half = ((z * Math.sqrt(arm.n)) / (arm.n + z2)) * Math.sqrt(arm.p * (1 - arm.p) + z2 / (4 * arm.n));
  return [Math.max(0, centre - half), Math.min(1, centre + half)];
}

/**
 * Two-sample test of proportions.
 *   estimate: absolute d = p_t - p_c; relative RR - 1 = p_t / p_c - 1.
 *   p-value: score test (Farrington & Manning 1990) of H0: d = d0 (absolute) or
 *     p_t / p_c = 1 + d0 (relative), d0 = 0, -margin ('greater') or +margin ('less'):
 *     z = (p_t - p_c - d0) / sqrt(pt~(1-pt~)/n_t + pc~(1-pc~)/n_c) with restricted MLEs pt~, pc~;
 *     for d0 = 0 this is the pooled z-test, z = d / sqrt(p(1-p)(1/n_t + 1/n_c)), p pooled.
 *     (No n/(n-1) factor: Miettinen-Nurminen's correction is not applied.)
 *   ci 'wald': d +- z sqrt(p_t(1-p_t)/n_t + p_c(1-p_c)/n_c).
 *   ci 'newcombe': hybrid score interval, Newcombe 1998 (Statistics in Medicine 17:873)
 *     method 10: [d - sqrt((p_t - l_t)^2 + (u_c - p_c)^2), d + sqrt((u_t - p_t)^2 + (p_c - l_c)^2)]
 *     with (l, u) the Wilson intervals.
 *   relative ci: Katz log interval (Katz, Baptista, Azen & Pike 1978, Biometrics 34:469):
 *     exp(log RR +- z sqrt(1/x_t - 1/n_t + 1/x_c - 1/n_c)) - 1.
 *   One-sided alternatives use z_(1-alpha) and report only the bounded side.
 * Not estimable: EMPTY_VARIANT (n = 0), ZERO_VARIANCE (null variance 0, e.g. no successes
 * at all, or a zero-width Wald interval), ZERO_BASELINE (relative lift with p_c = 0),
 * NO_EVENTS (relative lift with x_t = 0: log RR = -infinity).
 */
export function proportionTest(
  control: ProportionStats,
  treatment: ProportionStats,
  config: Partial<ProportionTestConfig> = {},
): ProportionTestResult {
  const label = 'proportionTest';
  const cfg: ProportionTestConfig = { ...defaultProportionTestConfig, ...config };
  validateTestConfig(cfg, label);
  const arms: Arm[] = [];
  for (const [name, s] of [
    ['control', control],
    ['treatment', treatment],
  ] as const) {
    assertCount(s.n, `${label}: ${name}`);
    assertCount(s.successes, `${label}: ${name} successes`);
    if (s.successes > s.n) throw new RangeError(`${label}: ${name} has successes=${s.successes} > n=${s.n}`);
    if (s.n === 0) return notEstimable('EMPTY_VARIANT', `${label}: ${name} has no units`);
    arms.push({ n: s.n, x: s.successes, p: s.successes / s.n });
  }
  const [c, t] = arms as [Arm, Arm];
  const d0 = nullEffect(cfg.alternative, cfg.margin);
  const z = quantileFor(cfg.alpha, cfg.alternative);

  if (cfg.difference === 'absolute') {
    if (d0 <= -1 || d0 >= 1) throw new RangeError(`${label}: margin=${cfg.margin} must be < 1 for an absolute difference`);
    const [ptr, pcr] = restrictedRatesForDifference(t, c, d0);
    const nullVariance = (ptr * (1 - ptr)) / t.n + (pcr * (1 - pcr)) / c.n;
    if (!(nullVariance > 0)) return notEstimable('ZERO_VARIANCE', `${label}: the variance under the null is zero (every unit has the same outcome)`);
    const estimate = t.p - c.p;
    const statistic = (estimate - d0) / Math.sqrt(nullVariance);
    const se = Math.sqrt((t.p * (1 - t.p)) / t.n + (c.p * (1 - c.p)) / c.n);
    let ci: Interval;
    if (cfg.ci === 'wald') {
      if (!(se > 0)) return notEstimable('ZERO_VARIANCE', `${label}: both observed rates are 0 or 1, so the Wald interval has zero width`);
      ci = sided(estimate - z * se, estimate + z * se, cfg.alternative);
    } else {
      const [lt, ut] = wilson(t, z);
      const [lc, uc] = wilson(c, z);
      const lower = estimate - Math.sqrt((t.p - lt) ** 2 + (uc - c.p) ** 2);
      const upper = estimate + Math.sqrt((ut - t.p) ** 2 + (c.p - lc) ** 2);
      ci = sided(lower, upper, cfg.alternative);
    }
    return {
      status: 'ok',
      estimate,
      se,
      ci,
      pValue: pValueOf(statistic, cfg.alternative, NORMAL),
      statistic,
      controlRate: c.p,
      treatmentRate: t.p,
    };
  }

  if (c.x === 0) return notEstimable('ZERO_BASELINE', `${label}: the control rate is 0, so a relative lift is undefined`);
  if (t.x === 0) return notEstimable('NO_EVENTS', `${label}: the treatment has no successes, so the log risk ratio is unbounded`);
  const rr0 = 1 + d0;
  if (!(rr0 > 0)) throw new RangeError(`${label}: margin=${cfg.margin} must be < 1 for a relative lift`);
  const [ptr, pcr] = restrictedRatesForRatio(t, c, rr0);
  const nullVariance = (ptr * (1 - ptr)) / t.n + (rr0 * rr0 * pcr * (1 - pcr)) / c.n;
  if (!(nullVariance > 0)) return notEstimable('ZERO_VARIANCE', `${label}: the variance under the null is zero (every unit has the same outcome)`);
  const statistic = (t.p - rr0 * c.p) / Math.sqrt(nullVariance);
  const rr = t.p / c.p;
  const seLog = Math.sqrt(1 / t.x - 1 / t.n + 1 / c.x - 1 / c.n);
  if (!(seLog > 0)) return notEstimable('ZERO_VARIANCE', `${label}: both arms have a rate of 1, so the log risk ratio has zero variance`);
  const logRr = Math.log(rr);
  return {
    status: 'ok',
    estimate: rr - 1,
    se: rr * seLog,
    ci: sided(Math.exp(logRr - z * seLog) - 1, Math.exp(logRr + z * seLog) - 1, cfg.alternative),
    pValue: pValueOf(statistic, cfg.alternative, NORMAL),
    statistic,
    controlRate: c.p,
    treatmentRate: t.p,
  };
}
