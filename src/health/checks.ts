/**
 * The health checks, pure: each takes the experiment's inputs as of `asOf` (as-of.ts
 * `asOfView`) and returns one check with its status and the points it costs. Critical
 * means the results cannot be trusted as they stand (SRM, stale data, users in several
 * arms, nothing built); warn means look.
 *
 * The two SRM checks are one test: Pearson's chi-square of the users so far against the
 * planned split, at the threshold the SRM plugin and the decision use
 * (decision.srm_threshold). `srm` tests all users as of as-of; `srm_daily` the users up to
 * the end of each day (cumulative, as the memo's daily SRM), so its last day is `srm`
 * itself and the two can never disagree about the end. A single day's new users alone
 * would be a far weaker test (a day holds 1/14 of the users), and "every day matches"
 * beside a mismatch overall only confused; the day whose new users depart most is named
 * as a hint.
 */
import { groupNumbersInText } from '../report/format.ts';
import { srmTest } from '../stats/index.ts';
import { completeDays } from './as-of.ts';
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

/** The SRM threshold: the experiment's decision.srm_threshold, as the SRM plugin and the decision use it. */
export function srmThreshold(inputs: HealthInputs, t: HealthThresholds): number {
  return inputs.experiment.decision?.srm_threshold ?? t.srmP;
}

/** Share of the window elapsed at as-of in complete days, in [0, 1] (the days whose users are counted). */
export function elapsedFraction(inputs: HealthInputs): number {
  return completeDays(inputs) / inputs.experiment.days;
}

/** The planned users per arm: design.n_per_arm, else sequential.target_n_per_arm. */
export function plannedPerArm(inputs: HealthInputs): number | undefined {
  return inputs.experiment.design?.n_per_arm ?? inputs.experiment.sequential?.target_n_per_arm;
}

export function dataCheck(inputs: HealthInputs, t: HealthThresholds): HealthCheck {
  const total = inputs.overall.reduce((s, c) => s + c.observed, 0);
  if (!inputs.built) return check(t, 'data', 'critical', 'not built', 'no partitions in the warehouse: run `xp build --select <id>`');
  if (total === 0) return check(t, 'data', elapsedFraction(inputs) > 0 ? 'critical' : 'ok', '0 users', elapsedFraction(inputs) > 0 ? 'no exposures yet although a day of the window is over: check the exposure logging' : 'no day of the window is over yet');
  return check(t, 'data', 'ok', `${int(total)} users`, 'exposures are being counted');
}

/**
 * Sample size against the plan at as-of: while the window runs, the smallest arm against
 * the planned users per arm pro rata (warn below `paceWarn` of it, with the projection);
 * once the window is over, against the whole plan: a missed target warns however close.
 */
export function paceCheck(inputs: HealthInputs, t: HealthThresholds): HealthCheck {
  const target = plannedPerArm(inputs);
  if (!target) return check(t, 'pace', 'ok', 'no target', 'no planned sample size (design.n_per_arm or sequential.target_n_per_arm) to pace against');
  const f = elapsedFraction(inputs);
  const days = completeDays(inputs);
  if (f === 0) return check(t, 'pace', 'ok', 'not started', `no day of the window (from ${inputs.experiment.start}) is over at as-of`);
  const smallest = Math.min(...ordered(inputs).map((c) => c.observed));
  if (f >= 1) {
    const reached = smallest / target;
    const detail = `smallest arm ${int(smallest)} of the ${int(target)} users per arm planned by the window end`;
    return smallest >= target
      ? check(t, 'pace', 'ok', 'target reached', `${detail}: reached`)
      : check(t, 'pace', 'warn', `${pct(reached, 0)} of target`, `${detail}: missed by ${int(target - smallest)} users, so the test has less power than planned; the memo's sensitivity says what it could detect`);
  }
  const expected = target * f;
  const pace = smallest / expected;
  const projected = smallest / f;
  const value = `${pct(pace, 0)} of pace`;
  const detail = `smallest arm ${int(smallest)} users vs ${int(expected)} planned by as-of (${int(days)} of ${int(inputs.experiment.days)} days over); projected ${int(projected)} of ${int(target)} per arm at the end`;
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
  const threshold = srmThreshold(inputs, t);
  const r = srmTest(arms.map((c) => c.observed), arms.map((c) => c.expectedShare), { threshold });
  if (r.status !== 'ok') return check(t, 'srm', 'unknown', '-', `not estimable: ${r.detail}`);
  const what = `chi-square of the ${int(arms.reduce((s, c) => s + c.observed, 0))} users so far against the planned split (${r.chi2.toFixed(1)}, df ${r.df}), threshold ${threshold}, the SRM plugin's and the decision's test`;
  return r.mismatch
    ? check(t, 'srm', 'critical', `p = ${pFmt(r.pValue)}`, `sample-ratio mismatch: ${what}; assignment or logging is broken, results are not trustworthy; compare the arms' exposure logging`)
    : check(t, 'srm', 'ok', `p = ${pFmt(r.pValue)}`, `no mismatch: ${what}`);
}

/**
 * The SRM test on the users up to the end of each day (the cumulative counts, as the SRM
 * plugin's daily rows): when the split broke, and whether it recovered. The last day is
 * the overall test. The day whose own new users depart most from the split is named.
 */
export function srmDailyCheck(inputs: HealthInputs, t: HealthThresholds): HealthCheck {
  const names = [inputs.experiment.control, ...inputs.experiment.treatments];
  const threshold = srmThreshold(inputs, t);
  const days = [...new Set(inputs.daily.map((d) => d.dayIndex))].sort((a, b) => a - b);
  const shares = names.map((v) => inputs.daily.find((d) => d.variant === v)?.expectedShare ?? inputs.experiment.variants[v] ?? 0);
  const cumulative = names.map(() => 0);
  const flagged: { day: string; p: number }[] = [];
  let worstDay: { day: string; p: number } | undefined;
  let tested = 0;
  for (const day of days) {
    const rows = names.map((v) => inputs.daily.find((d) => d.dayIndex === day && d.variant === v));
    const label = rows.find((x) => x?.day)?.day ?? `day ${day}`;
    rows.forEach((x, i) => { cumulative[i]! += x?.observed ?? 0; });
    const own = srmTest(rows.map((x) => x?.observed ?? 0), shares, { threshold });
    if (own.status === 'ok' && (!worstDay || own.pValue < worstDay.p)) worstDay = { day: label, p: own.pValue };
    const r = srmTest(cumulative, shares, { threshold });
    if (r.status !== 'ok') continue;
    tested++;
    if (r.mismatch) flagged.push({ day: label, p: r.pValue });
  }
  if (!tested) return check(t, 'srm_daily', 'unknown', '-', 'no day with users yet');
  const how = `the SRM test (threshold ${threshold}) on the users up to the end of each day; the last day is the overall srm check`;
  if (!flagged.length) return check(t, 'srm_daily', 'ok', `0 of ${tested} days`, `the split matched the plan on every day: ${how}`);
  const lastDay = days.length ? inputs.daily.find((d) => d.dayIndex === days[days.length - 1])?.day ?? null : null;
  const now = flagged.some((f) => f.day === lastDay || f.day === `day ${days[days.length - 1]}`);
  const list = flagged.slice(0, 5).map((f) => `${f.day} (p = ${pFmt(f.p)})`).join(', ') + (flagged.length > 5 ? ', …' : '');
  const hint = worstDay ? `; the day whose new users depart most: ${worstDay.day} (p = ${pFmt(worstDay.p)} on its own)` : '';
  return check(t, 'srm_daily', 'warn', `${flagged.length} of ${tested} days`,
    `${now ? `the split has been off since ${flagged[0]!.day}` : `the split was off on ${flagged.length} day(s) and recovered`}: ${list}; ${how}${hint}`);
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
  // the model's details end in its threshold as a fraction: say it as the percent the value is in
  const details = groupNumbersInText(mv.details.replace(/; threshold: at (?:most|least) [\d.e+-]+$/, ''));
  // dq_results counts over the data of the last build: an earlier --as-of cannot narrow it
  const when = ex?.asOfNarrowed ? ' (dq_results counts all data of the last build, not only what came before as-of)' : '';
  return check(t, 'multiple_exposures', status, `${pct(mv.observed, 2)} in several arms`,
    `${details}, threshold ${pct(mv.threshold, 2)}${when}${repeat}${status === 'critical' ? ': assignment is not sticky; fix it before trusting the results' : ''}`);
}

export const CHECKS = [dataCheck, paceCheck, splitCheck, srmCheck, srmDailyCheck, freshnessCheck, anomalyCheck, multipleExposureCheck] as const;
