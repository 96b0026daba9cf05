/**
 * The health checks, pure: each takes the experiment's inputs and returns one check with
 * its status and the points it costs. Critical means the results cannot be trusted as
 * they stand (SRM, stale data, users in several arms, nothing built); warn means look.
 */
import { srmTest } from '../stats/index.ts';
import type { HealthCheck, HealthStatus, HealthThresholds, CheckName } from './types.ts';
import type { HealthInputs, MetricDay } from './inputs.ts';
import { robustZ } from './robust.ts';

const DAY_MS = 86_400_000;

const pct = (x: number, digits = 1): string => `${(x * 100).toFixed(digits)}%`;
const int = (n: number): string => Math.round(n).toLocaleString('en-US');
const pFmt = (p: number): string => (p < 0.0001 ? p.toExponential(1) : p.toPrecision(2));

function check(t: HealthThresholds, name: CheckName, status: HealthStatus, value: string, detail: string): HealthCheck {
  const deduction = status === 'ok' ? 0 : t.deductions[status];
  return { check: name, status, value, detail, deduction };
}

function ordered(inputs: HealthInputs): { variant: string; expectedShare: number; observed: number }[] {
  const names = [inputs.experiment.control, ...inputs.experiment.treatments];
  return names.map((v) => inputs.overall.find((c) => c.variant === v) ?? { variant: v, expectedShare: inputs.experiment.variants[v] ?? 0, observed: 0 });
}

export function srmThreshold(inputs: HealthInputs, t: HealthThresholds): number {
  return inputs.experiment.decision?.srm_threshold ?? t.srmP;
}

/** Share of the window elapsed at as-of, in [0, 1]. */
export function elapsedFraction(inputs: HealthInputs): number {
  const start = Date.parse(`${inputs.experiment.start}T00:00:00Z`);
  return Math.min(1, Math.max(0, (inputs.asOf.getTime() - start) / (inputs.experiment.days * DAY_MS)));
}

export function dataCheck(inputs: HealthInputs, t: HealthThresholds): HealthCheck {
  const total = inputs.overall.reduce((s, c) => s + c.observed, 0);
  if (!inputs.built) return check(t, 'data', 'critical', 'not built', 'no partitions in the warehouse: run `xp build --select <id>`');
  if (total === 0) return check(t, 'data', elapsedFraction(inputs) > 0 ? 'critical' : 'ok', '0 users', elapsedFraction(inputs) > 0 ? 'no exposures yet although the window has started: check the exposure logging' : 'the window has not started yet');
  return check(t, 'data', 'ok', `${int(total)} users`, 'exposures are being counted');
}

export function paceCheck(inputs: HealthInputs, t: HealthThresholds): HealthCheck {
  const target = inputs.experiment.sequential?.target_n_per_arm;
  if (!target) return check(t, 'pace', 'ok', 'no target', 'no sample-size target (sequential.target_n_per_arm) to pace against');
  const f = elapsedFraction(inputs);
  if (f === 0) return check(t, 'pace', 'ok', 'not started', `the window starts ${inputs.experiment.start}`);
  const smallest = Math.min(...ordered(inputs).map((c) => c.observed));
  const expected = target * f;
  const pace = smallest / expected;
  const projected = smallest / f;
  const value = `${pct(pace, 0)} of pace`;
  const detail = `smallest arm ${int(smallest)} users vs ${int(expected)} expected by now (${pct(f, 0)} of the window); projected ${int(projected)} of ${int(target)} per arm at the end`;
  return check(t, 'pace', pace < t.paceWarn ? 'warn' : 'ok', value, pace < t.paceWarn ? `${detail}: the experiment will be underpowered unless traffic picks up or it runs longer` : detail);
}

export function splitCheck(inputs: HealthInputs, t: HealthThresholds): HealthCheck {
  const arms = ordered(inputs);
  const total = arms.reduce((s, c) => s + c.observed, 0);
  if (!total) return check(t, 'split', 'unknown', '-', 'no users yet');
  const shareSum = arms.reduce((s, c) => s + c.expectedShare, 0);
  const off = arms.map((c) => ({ ...c, share: c.observed / total, planned: c.expectedShare / shareSum }))
    .map((c) => ({ ...c, rel: Math.abs(c.share - c.planned) / c.planned }));
  const worst = off.reduce((a, b) => (b.rel > a.rel ? b : a));
  const value = off.map((c) => pct(c.share)).join(' / ');
  const planned = off.map((c) => pct(c.planned)).join(' / ');
  const status = worst.rel > t.splitRelative ? 'warn' : 'ok';
  return check(t, 'split', status, value, `${arms.map((c) => c.variant).join(' / ')} against the planned ${planned}${status === 'warn' ? `; ${worst.variant} is ${pct(worst.rel, 0)} off its planned share` : ''}`);
}

export function srmCheck(inputs: HealthInputs, t: HealthThresholds): HealthCheck {
  const arms = ordered(inputs);
  const r = srmTest(arms.map((c) => c.observed), arms.map((c) => c.expectedShare), { threshold: srmThreshold(inputs, t) });
  if (r.status !== 'ok') return check(t, 'srm', 'unknown', '-', `not estimable: ${r.detail}`);
  return r.mismatch
    ? check(t, 'srm', 'critical', `p = ${pFmt(r.pValue)}`, `sample-ratio mismatch (chi-square ${r.chi2.toFixed(1)}, df ${r.df}; threshold ${srmThreshold(inputs, t)}): assignment or logging is broken, results are not trustworthy; compare the arms' exposure logging`)
    : check(t, 'srm', 'ok', `p = ${pFmt(r.pValue)}`, `no mismatch at ${srmThreshold(inputs, t)}`);
}

/** SRM of each day's new users: a day that breaks alone points at a deploy or a logging outage. */
export function srmDailyCheck(inputs: HealthInputs, t: HealthThresholds): HealthCheck {
  const names = [inputs.experiment.control, ...inputs.experiment.treatments];
  const days = [...new Set(inputs.daily.map((d) => d.dayIndex))].sort((a, b) => a - b);
  const flagged: string[] = [];
  let tested = 0;
  for (const day of days) {
    const rows = names.map((v) => inputs.daily.find((d) => d.dayIndex === day && d.variant === v));
    const r = srmTest(rows.map((x) => x?.observed ?? 0), names.map((v, i) => rows[i]?.expectedShare ?? inputs.experiment.variants[v] ?? 0), { threshold: srmThreshold(inputs, t) });
    if (r.status !== 'ok') continue;
    tested++;
    if (r.mismatch) flagged.push(`${rows.find((x) => x?.day)?.day ?? `day ${day}`} (p = ${pFmt(r.pValue)})`);
  }
  if (!tested) return check(t, 'srm_daily', 'unknown', '-', 'no day with users yet');
  return check(t, 'srm_daily', flagged.length ? 'warn' : 'ok', `${flagged.length} of ${tested} days`,
    flagged.length ? `days whose new users break the planned split: ${flagged.slice(0, 5).join(', ')}${flagged.length > 5 ? ', …' : ''}` : 'every day\'s new users match the planned split');
}

export function freshnessCheck(inputs: HealthInputs, t: HealthThresholds): HealthCheck {
  const start = Date.parse(`${inputs.experiment.start}T00:00:00Z`);
  const end = start + inputs.experiment.days * DAY_MS;
  const asOf = inputs.asOf.getTime();
  if (asOf <= start) return check(t, 'freshness', 'ok', 'not started', `the window starts ${inputs.experiment.start}`);
  if (!inputs.newestEvent) return check(t, 'freshness', 'critical', 'no events', 'no raw events at all: check the ingestion into the raw store');
  const newest = Date.parse(inputs.newestEvent.endsWith('Z') || /[+-]\d\d:?\d\d$/.test(inputs.newestEvent) ? inputs.newestEvent : `${inputs.newestEvent}Z`);
  const expected = Math.min(asOf, end);
  const lagHours = Math.max(0, (expected - newest) / 3_600_000);
  const value = lagHours < 48 ? `${lagHours.toFixed(1)} h` : `${(lagHours / 24).toFixed(1)} days`;
  const against = asOf >= end ? 'the window end' : 'as-of';
  const status: HealthStatus = lagHours > t.freshCriticalHours ? 'critical' : lagHours > t.freshWarnHours ? 'warn' : 'ok';
  return check(t, 'freshness', status, value, `newest event ${new Date(newest).toISOString()} vs ${against} ${new Date(expected).toISOString()}${status === 'ok' ? '' : ': data stopped arriving; check the pipeline that writes the raw store, then rebuild'}`);
}

/** The day index of as-of: that day and later are not over yet. */
function asOfDayIndex(inputs: HealthInputs): number {
  return Math.floor((inputs.asOf.getTime() - Date.parse(`${inputs.experiment.start}T00:00:00Z`)) / DAY_MS);
}

/**
 * Daily z of treatment vs control for one metric: (mean_t - mean_c) / sqrt(s_t^2/n_t + s_c^2/n_c)
 * over the day's per-user values. Both arms share the day's level and any trend over the
 * window, so the series is flat when assignment and logging work, whatever the traffic does.
 */
function dailyZ(c: MetricDay, t: MetricDay): number | null {
  const v = (d: MetricDay) => Math.max(0, (d.sumSquares - (d.sum * d.sum) / d.n) / (d.n - 1)) / d.n;
  const se = Math.sqrt(v(c) + v(t));
  return se > 0 ? (t.sum / t.n - c.sum / c.n) / se : null;
}

function outliers<T>(items: readonly T[], value: (x: T) => number, limit: number): { item: T; z: number }[] {
  const zs = robustZ(items.map(value));
  return items.flatMap((item, i) => (zs[i] !== null && Math.abs(zs[i]!) > limit ? [{ item, z: zs[i]! }] : []));
}

/**
 * A day far outside the others (robust z above the limit), among complete days: in the
 * number of new users (an outage or a traffic spike), and per metric in the day's
 * treatment − control z (one arm's logging broke). Raw daily levels are not compared:
 * they drift as users accumulate, which is no anomaly.
 */
export function anomalyCheck(inputs: HealthInputs, t: HealthThresholds): HealthCheck {
  const last = asOfDayIndex(inputs);
  const found: string[] = [];
  let judged = 0;
  const volume = [...new Set(inputs.daily.map((d) => d.dayIndex))].filter((d) => d < last).sort((a, b) => a - b)
    .map((dayIndex) => {
      const rows = inputs.daily.filter((d) => d.dayIndex === dayIndex);
      return { dayIndex, day: rows[0]?.day ?? null, users: rows.reduce((s, r) => s + r.observed, 0) };
    });
  if (volume.length >= t.anomalyMinDays) {
    judged++;
    for (const { item, z } of outliers(volume, (d) => d.users, t.anomalyZ)) found.push(`new users on ${item.day ?? `day ${item.dayIndex}`}: ${item.users} (robust z ${z.toFixed(1)})`);
  }
  const e = inputs.experiment;
  const metrics = [...new Set(inputs.metricDays.map((d) => d.metric))];
  for (const metric of metrics) {
    for (const variant of e.treatments) {
      const days: { dayIndex: number; day: string | null; z: number }[] = [];
      for (const c of inputs.metricDays.filter((d) => d.metric === metric && d.variant === e.control && d.dayIndex < last)) {
        const tr = inputs.metricDays.find((d) => d.metric === metric && d.variant === variant && d.dayIndex === c.dayIndex);
        if (!tr || c.n < t.anomalyMinUsers || tr.n < t.anomalyMinUsers) continue;
        const z = dailyZ(c, tr);
        if (z !== null) days.push({ dayIndex: c.dayIndex, day: c.day, z });
      }
      if (days.length < t.anomalyMinDays) continue;
      judged++;
      for (const { item, z } of outliers(days, (d) => d.z, t.anomalyZ)) found.push(`${metric} ${variant} vs ${e.control} on ${item.day ?? `day ${item.dayIndex}`} (robust z ${z.toFixed(1)})`);
    }
  }
  if (!judged) return check(t, 'anomalies', 'ok', '-', `fewer than ${t.anomalyMinDays} complete days with ${t.anomalyMinUsers}+ users per arm: nothing to compare yet`);
  return check(t, 'anomalies', found.length ? 'warn' : 'ok', `${found.length} day(s)`,
    found.length ? `days far outside the others: ${found.slice(0, 5).join(', ')}${found.length > 5 ? ', …' : ''}; check logging or an outage on those days` : `no day beyond |robust z| ${t.anomalyZ} in ${judged} daily series`);
}

export function multipleExposureCheck(inputs: HealthInputs, t: HealthThresholds): HealthCheck {
  const mv = inputs.multiVariant;
  const ex = inputs.exposures;
  const repeat = ex && ex.users ? `; ${pct(ex.repeated / ex.users)} of users were exposed more than once to the same variant (expected, counted once)` : '';
  if (!mv) return check(t, 'multiple_exposures', 'unknown', '-', `dq_results has no multi_variant_users check${repeat}`);
  const status: HealthStatus = mv.observed > mv.threshold ? 'critical' : 'ok';
  return check(t, 'multiple_exposures', status, `${pct(mv.observed, 2)} in several arms`,
    `${mv.details}${repeat}${status === 'critical' ? ': assignment is not sticky; fix it before trusting the results' : ''}`);
}

export const CHECKS = [dataCheck, paceCheck, splitCheck, srmCheck, srmDailyCheck, freshnessCheck, anomalyCheck, multipleExposureCheck] as const;
