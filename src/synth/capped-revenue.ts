/**
 * The population value of a capped revenue-per-user metric, for the planted truth. In an
 * arm, a user's post-period revenue X is 0 with probability 1 − p, else the sum of K order
 * values, K = 2 with probability r and 1 otherwise, each V = m·exp(σN − σ²/2) (lognormal,
 * mean m). The metric caps X at the pooled cap_quantile q of all arms (models/metrics/
 * user_metrics.sql: quantile_cont over every exposed user, both arms), so as n grows it
 * estimates E[min(X, c)] with c the q-quantile of the share-weighted mixture of the arms.
 *
 *   P(V ≤ x)          = Φ((ln(x/m) + σ²/2) / σ)
 *   E[min(V, c)]      = m·Φ((ln(c/m) − σ²/2) / σ) + c·(1 − Φ((ln(c/m) + σ²/2) / σ))
 *   P(V₁ + V₂ ≤ x)    = ∫ φ(t) P(V ≤ x − v(t)) dt over v(t) = m·e^{σt − σ²/2} < x
 *   E[min(V₁+V₂, c)]  = ∫ φ(t) (v(t) + E[min(V, c − v(t))]) dt over v(t) < c, + c·P(V > c)
 * (the lognormal partial expectation, e.g. Johnson, Kotz & Balakrishnan, Continuous
 * Univariate Distributions vol. 1, ch. 14; the sum of two by conditioning on V₁), with the
 * integrals by composite Simpson on 2,000 panels over t ≥ −10 (error far below 1e-9).
 */
import { normalCdf, normalPdf } from '../stats/distributions.ts';

export interface RevenueArm {
  /** share of the analysed users in this arm */
  readonly weight: number;
  /** P(at least one purchase) */
  readonly conversion: number;
  /** mean order value */
  readonly orderValueMean: number;
}

export interface CappedRevenue {
  /** the population cap c (the pooled q-quantile of per-user revenue) */
  readonly cap: number;
  /** E[min(X, c)] per arm, in the arms' order */
  readonly means: readonly number[];
}

const T_MIN = -10;
const PANELS = 2000;

function simpson(f: (t: number) => number, a: number, b: number): number {
  if (!(b > a)) return 0;
  const h = (b - a) / PANELS;
  let sum = f(a) + f(b);
  for (let i = 1; i < PANELS; i++) sum += (i % 2 === 1 ? 4 : 2) * f(a + i * h);
  return (sum * h) / 3;
}

/** One order value's distribution: lognormal with mean m and log-sd σ > 0. */
class OrderValue {
  constructor(readonly m: number, readonly sigma: number) {}
  /** the standardised log of x: P(V ≤ x) = Φ(z(x)) */
  z(x: number): number {
    return x <= 0 ? Number.NEGATIVE_INFINITY : (Math.log(x / this.m) + (this.sigma * this.sigma) / 2) / this.sigma;
  }
  at(t: number): number {
    return this.m * Math.exp(this.sigma * t - (this.sigma * this.sigma) / 2);
  }
  cdf(x: number): number {
    return x <= 0 ? 0 : normalCdf(this.z(x));
  }
  cappedMean(c: number): number {
    if (c <= 0) return 0;
    const z = this.z(c);
    return this.m * normalCdf(z - this.sigma) + c * (1 - normalCdf(z));
  }
  sumCdf(x: number): number {
    return simpson((t) => normalPdf(t) * this.cdf(x - this.at(t)), T_MIN, Math.max(T_MIN, this.z(x)));
  }
  sumCappedMean(c: number): number {
    if (c <= 0) return 0;
    const tc = this.z(c);
    return simpson((t) => normalPdf(t) * (this.at(t) + this.cappedMean(c - this.at(t))), T_MIN, Math.max(T_MIN, tc)) + c * (1 - normalCdf(tc));
  }
}

/** Smallest x ≥ 0 with cdf(x) ≥ q for a continuous, increasing cdf on (0, ∞) (bisection to 1e-13 relative). */
function quantile(cdf: (x: number) => number, q: number, scale: number): number {
  if (cdf(0) >= q) return 0;
  let lo = 0;
  let hi = scale;
  while (cdf(hi) < q) hi *= 2;
  while (hi - lo > 1e-13 * hi) {
    const mid = (lo + hi) / 2;
    if (cdf(mid) < q) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/** E[min(X, c)] per arm with c the pooled q-quantile; order values lognormal with log-sd σ > 0. */
export function cappedRevenue(arms: readonly RevenueArm[], repeatRate: number, sigma: number, q: number): CappedRevenue {
  const values = arms.map((a) => new OrderValue(a.orderValueMean, sigma));
  const pooledCdf = (x: number): number =>
    arms.reduce((s, a, k) => s + a.weight * (1 - a.conversion + a.conversion * ((1 - repeatRate) * values[k]!.cdf(x) + repeatRate * values[k]!.sumCdf(x))), 0);
  const scale = Math.max(...arms.map((a) => a.orderValueMean));
  const cap = scale > 0 ? quantile(pooledCdf, q, scale) : 0;
  const means = arms.map((a, k) => a.conversion * ((1 - repeatRate) * values[k]!.cappedMean(cap) + repeatRate * values[k]!.sumCappedMean(cap)));
  return { cap, means };
}

/** A discrete per-user distribution: value → probability. */
export type Pmf = ReadonlyMap<number, number>;

/** E[min(X, c)] per arm for discrete per-user values (counts, constant order values), c the pooled q-quantile. */
export function cappedDiscrete(arms: readonly { readonly weight: number; readonly pmf: Pmf }[], q: number): CappedRevenue {
  const pooled = new Map<number, number>();
  for (const a of arms) for (const [x, p] of a.pmf) pooled.set(x, (pooled.get(x) ?? 0) + a.weight * p);
  const support = [...pooled.keys()].sort((x, y) => x - y);
  let cumulative = 0;
  // the smallest atom whose cumulative probability reaches q (1e-12 absorbs rounding)
  const cap = support.find((x) => (cumulative += pooled.get(x)!) >= q - 1e-12) ?? support.at(-1) ?? 0;
  const means = arms.map((a) => [...a.pmf].reduce((s, [x, p]) => s + p * Math.min(x, cap), 0));
  return { cap, means };
}
