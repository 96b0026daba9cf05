/**
 * One sentence per metric on how it was analysed, when that is more than the default: a
 * quantile metric's test, what winsorisation held the users' values to, and an informative
 * prior's pull on the Bayesian read-out. Shown beside the metric's definition in the memo
 * and the report.
 */
import type { AbRow } from '../../analyses/tables.ts';
import type { MetricConfig } from '../../project/types.ts';
import { winsorisation } from '../../project/winsorisation.ts';
import { fmtNumber, fmtSignedPercent } from '../format.ts';
import { percentDecimals, quantileLabel } from './values.ts';

/** 0.99 → "99th percentile", 0.01 → "1st percentile", 0.975 → "97.5th percentile". */
export function percentileName(q: number): string {
  const x = +(q * 100).toPrecision(4);
  const last = Number.isInteger(x) && Math.floor(x / 10) % 10 !== 1 ? x % 10 : 0;
  return `${x}${last === 1 ? 'st' : last === 2 ? 'nd' : last === 3 ? 'rd' : 'th'} percentile`;
}
const pct = percentileName;

function capNote(m: MetricConfig, rows: readonly AbRow[]): string | null {
  const w = winsorisation(m);
  if (!w) return null;
  const row = rows.find((r) => r.value_cap != null || r.value_floor != null);
  const [floor, cap] = [row?.value_floor ?? null, row?.value_cap ?? null].map((x) => fmtNumber(x, 4));
  const among = w.nonzero ? 'users with a nonzero value' : 'all exposed users';
  const side = (q: number | null, v: number | null): string | null => (q !== null ? `the ${pct(q)} of ${among}` : v !== null ? 'a fixed bound' : null);
  const lower = side(w.lower_quantile, w.lower_value);
  const upper = side(w.upper_quantile, w.upper_value);
  const held = lower && upper ? `between ${floor} (${lower}) and ${cap} (${upper})` : upper ? `at most ${cap} (${upper})` : `at least ${floor} (${lower})`;
  const quantiles = w.lower_quantile !== null || w.upper_quantile !== null ? ', pooled across arms' : '';
  return `winsorised: each user's value held ${held}${quantiles}${w.nonzero ? '; users without a value stay 0' : ''}`;
}

function priorNote(m: MetricConfig, rows: readonly AbRow[]): string | null {
  if (!m.prior) return null;
  const shrunk = rows.filter((r) => r.posterior_lift != null && r.likelihood_lift != null).map((r) => {
    const d = percentDecimals([r.posterior_lift, r.likelihood_lift]);
    return `${r.variant}: ${fmtSignedPercent(r.posterior_lift, d)} (the data alone: ${fmtSignedPercent(r.likelihood_lift, d)})`;
  });
  const d = percentDecimals([m.prior.mean, m.prior.sd]);
  return `a normal prior on the relative lift, mean ${fmtSignedPercent(m.prior.mean, d)} and sd ${fmtSignedPercent(m.prior.sd, d).replace(/^\+/, '')}: the chance to beat control is posterior, with the shrunken lift${shrunk.length ? ` ${shrunk.join('; ')}` : ''}`;
}

function quantileNote(m: MetricConfig): string | null {
  if (m.type !== 'quantile') return null;
  return `the ${quantileLabel(m.quantile)} of users' values in each arm (users without events count as 0); the interval for the difference uses each arm's order-statistic interval, as GrowthBook's quantile test`;
}

/** The metric's analysis note, or null when it is analysed the default way. */
export function metricMethod(m: MetricConfig, rows: readonly AbRow[]): string | null {
  const notes = [quantileNote(m), capNote(m, rows), priorNote(m, rows)].filter((x): x is string => x !== null);
  return notes.length ? notes.join('; ') : null;
}
