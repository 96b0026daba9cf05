/**
 * The generator's SQL. Everything random is a draw from a counter-based stream keyed by
 * (replicate, user[, event | exposure row], tag) (random.ts), so a row's values depend only
 * on the plan and its position: no JS loops over users, no RNG state, the same bytes on
 * every run and any thread count.
 *
 * The outcome model (per user, model.ts): a latent propensity Z ~ N(0, 1) drives each
 * period's conversion and bouncing through threshold latents and the page-view activity,
 * so the pre-period values are a covariate that works for CUPED. Treatment rates apply only
 * to exposed treatment users' post-period events; the configured rates are exact, never
 * capped.
 */
import { normalQuantile } from '../stats/distributions.ts';
import { ACTIVITY_SIGMA, BOUNCE_LOADING, CONVERSION_LOADING, REPEAT_PURCHASE_RATE } from './model.ts';
import type { SynthPlan } from './plan.ts';
import { REPEAT_EXPOSURE_RATE } from './plan.ts';
import { childStateSql, Gamma, mix64Sql, normalSql, uniformSql } from './random.ts';

const DAY_US = 86_400_000_000;
/** Late events land up to this long after the experiment ends. */
const LATE_SPREAD_US = 3 * DAY_US;

/** One tag per random draw: a new draw gets a new number, existing numbers never change. */
export const Tag = {
  exposed: 1, arm: 2, day: 3, timeOfDay: 4, z1: 5, z2: 6,
  convPost1: 10, convPost2: 11, repeatPost: 12, bouncePost1: 13, bouncePost2: 14, pageViewsPost: 15,
  convPre1: 20, convPre2: 21, repeatPre: 22, bouncePre1: 23, bouncePre2: 24, pageViewsPre: 25,
  repeatExposure: 30, repeatExposureAt: 31, multiVariant: 32, multiVariantAt: 33,
  eventAt: 40, value1: 41, value2: 42, keep: 43, late: 44, lateAt: 45, missingKey: 46, duplicate: 47,
  // the exposure dimensions: streams of their own, so adding them left every other draw as it was
  platform: 60, country: 61, platformSrm: 62,
} as const;

/** Platforms and countries of the synthetic users, with their shares (cumulative bounds of one uniform draw). */
export const SYNTH_PLATFORMS: readonly (readonly [string, number])[] = [['ios', 0.45], ['android', 0.4], ['web', 0.15]];
export const SYNTH_COUNTRIES: readonly (readonly [string, number])[] = [['US', 0.4], ['GB', 0.15], ['DE', 0.15], ['IN', 0.15], ['BR', 0.15]];

/** A categorical draw: the level whose slice of (0, 1) holds the uniform. */
function categorySql(draw: string, levels: readonly (readonly [string, number])[]): string {
  let upper = 0;
  const arms = levels.slice(0, -1).map(([name, share]) => {
    upper += share;
    return `when ${draw} < ${num(upper)} then ${str(name)}`;
  });
  return `case ${arms.join(' ')} else ${str(levels[levels.length - 1]![0])} end`;
}

/** A number as SQL: finite, full precision. */
function num(x: number | bigint): string {
  if (typeof x === 'bigint') return x.toString();
  if (!Number.isFinite(x)) throw new Error(`synth: ${x} is not a finite number`);
  return String(x);
}

/** A string as a SQL literal (variant names are validated identifiers, quoted anyway). */
function str(s: string): string {
  return `'${s.replaceAll("'", "''")}'`;
}

/** `draw < p` for a uniform draw, or a constant when p leaves no chance (the draw is then not made). */
function chance(draw: string, p: number): string {
  if (p <= 0) return 'false';
  if (p >= 1) return 'true';
  return `${draw} < ${num(p)}`;
}

/** The threshold a standard normal latent must exceed for an outcome of probability p: Φ⁻¹(1 − p). */
function thresholdSql(p: number): string {
  if (p <= 0) return "'infinity'::double";
  if (p >= 1) return "'-infinity'::double";
  return num(-normalQuantile(p));
}

/** ρZ + √(1 − ρ²)E with E a fresh normal from two tags: a standard normal latent with loading ρ on Z. */
function latentSql(loading: number, tagA: number, tagB: number): string {
  return `(${num(loading)} * z + ${num(Math.sqrt(1 - loading * loading))} * ${normalSql('h', tagA, tagB)})`;
}

/**
 * One row per user (exposed or not): id, allocation, exposure time, the latent propensity
 * and how many purchases, bounces and page views each period holds. The generator
 * materialises it once (a table scans in parallel, `range()` does not).
 */
export function usersSql(plan: SynthPlan, indexes: string): string {
  const s = plan.synth;
  const { control, treatment } = plan.model;
  const arm = plan.variants
    .slice(0, -1)
    .map((v, i) => `when u_arm < ${num(v.upper)} then ${i}`)
    .join(' ');
  const treated = `[${plan.variants.map((v) => (v.isTreatment ? 'true' : 'false')).join(', ')}]`;
  const activity = `exp(${ACTIVITY_SIGMA} * z - ${(ACTIVITY_SIGMA ** 2) / 2})`;
  // post-period rates: the treatment's for exposed treatment users, the control's otherwise
  const post = (c: number, t: number): string => (c === t ? thresholdSql(c) : `case when exposed and is_treatment then ${thresholdSql(t)} else ${thresholdSql(c)} end`);
  const planted = plan.interaction;
  // a planted interaction: the partner's treatment-variant users among this experiment's treatment users convert at their own rate
  const conversionPost = planted
    ? `case when exposed and is_treatment and in_partner_variant then ${thresholdSql(planted.conversion)} else ${post(control.conversion, treatment.conversion)} end`
    : post(control.conversion, treatment.conversion);
  const userId = plan.userOffset > 0 ? `'u' || lpad((i + ${plan.userOffset})::varchar, ${plan.userIdWidth}, '0')` : `'u' || lpad(i::varchar, ${plan.userIdWidth}, '0')`;
  const partnerState = planted ? `, ${childStateSql(`${planted.partnerKey}::ubigint`, `greatest(i + ${planted.indexShift}, 0)`, Gamma.user)} as partner_state` : '';
  const partnerHash = planted ? `, ${mix64Sql('partner_state')} as ph` : '';
  const partnerHit = planted
    ? `, (i + ${planted.indexShift} between 0 and ${planted.partnerUsers - 1}
      and ${chance(uniformSql('ph', Tag.exposed), planted.partnerExposureRate)}
      and ${uniformSql('ph', Tag.arm)} >= ${num(planted.lower)} and ${uniformSql('ph', Tag.arm)} < ${num(planted.upper)}) as in_partner_variant`
    : '';
  const purchases = (threshold: string, tags: readonly [number, number], repeat: number): string =>
    `case when ${latentSql(CONVERSION_LOADING, ...tags)} > ${threshold} then 1 + (${uniformSql('h', repeat)} < ${REPEAT_PURCHASE_RATE})::int else 0 end`;
  const bounces = (threshold: string, tags: readonly [number, number]): string => `(${latentSql(BOUNCE_LOADING, ...tags)} > ${threshold})::int`;
  const pageViews = (mean: number, tag: number): string => `floor(${num(mean)} * ${activity} + ${uniformSql('h', tag)})::int`;
  const hasPre = plan.prePeriodDays > 0 ? 'exposed' : 'false';
  return `with keyed as (
  select i, ${mix64Sql('state')} as h${partnerHash}
  from (select i, ${childStateSql(`${plan.key}::ubigint`, 'i', Gamma.user)} as state${partnerState} from ${indexes})
),
drawn as (
  select
    i,
    h,${planted ? ' ph,' : ''}
    ${userId} as user_id,
    ${chance(uniformSql('h', Tag.exposed), s.exposure_rate)} as exposed,
    ${uniformSql('h', Tag.arm)} as u_arm,
    ${num(plan.startUs)}
      + floor(${uniformSql('h', Tag.day)} * ${plan.days})::bigint * ${DAY_US}
      + floor(${uniformSql('h', Tag.timeOfDay)} * ${DAY_US})::bigint as exposed_us,
    ${normalSql('h', Tag.z1, Tag.z2)} as z
  from keyed
),
armed as (
  select *, case ${arm} else ${plan.variants.length - 1} end as arm from drawn
),
allocated as (
  select *, ${treated}[arm + 1] as is_treatment${partnerHit} from armed
)
select
  i, h, user_id, exposed, arm, is_treatment, exposed_us, z,
  ${purchases(conversionPost, [Tag.convPost1, Tag.convPost2], Tag.repeatPost)} as purchases_post,
  ${bounces(post(control.bounce, treatment.bounce), [Tag.bouncePost1, Tag.bouncePost2])} as bounces_post,
  ${pageViews(plan.pageViewsPost, Tag.pageViewsPost)} as page_views_post,
  -- only exposed users have a pre period: it is the CUPED covariate and the pre-trend baseline
  case when ${hasPre} then ${purchases(thresholdSql(control.conversion), [Tag.convPre1, Tag.convPre2], Tag.repeatPre)} else 0 end as purchases_pre,
  case when ${hasPre} then ${bounces(thresholdSql(control.bounce), [Tag.bouncePre1, Tag.bouncePre2])} else 0 end as bounces_pre,
  case when ${hasPre} then ${pageViews(plan.pageViewsPre, Tag.pageViewsPre)} else 0 end as page_views_pre
from allocated`;
}

/** Rows of the exposures file: first exposure, a harmless repeat, and the multi-variant fault. */
export function exposuresSql(plan: SynthPlan, users: string): string {
  const s = plan.synth;
  const names = `[${plan.variants.map((v) => str(v.name)).join(', ')}]`;
  const later = (tag: number): string => `exposed_us + floor(${uniformSql('h', tag)} * (${num(plan.dataEndUs)} - exposed_us))::bigint`;
  return `with exposure_rows as (
  select i, h, user_id, 0 as seq, arm, exposed_us as at_us from ${users} where exposed
  union all
  -- the same exposure logged again later: normal, core/exposures keeps the first
  select i, h, user_id, 1 as seq, arm, ${later(Tag.repeatExposureAt)} as at_us
  from ${users} where exposed and ${chance(uniformSql('h', Tag.repeatExposure), REPEAT_EXPOSURE_RATE)}
  union all
  -- fault: the same user exposed to the next variant as well
  select i, h, user_id, 2 as seq, (arm + 1) % ${plan.variants.length} as arm, ${later(Tag.multiVariantAt)} as at_us
  from ${users} where exposed and ${chance(uniformSql('h', Tag.multiVariant), s.multi_variant_rate)}
),
-- each row's own stream, so its faults are independent of the user's and of the events'
keyed_rows as (
  select i, h, user_id, seq, arm, at_us, ${mix64Sql('state')} as hr
  from (select *, ${childStateSql('h', 'seq', Gamma.exposureRow)} as state from exposure_rows)
),
copies as (
  select *, unnest(range(case when ${chance(uniformSql('hr', Tag.duplicate), s.duplicate_rate)} then 2 else 1 end)) as copy
  from keyed_rows
)
select
  $experiment_id::varchar as experiment_id,
  case when ${chance(uniformSql('hr', Tag.missingKey), s.missing_key_rate)} then null else user_id end as user_id,
  ${names}[arm + 1] as variant,
  make_timestamp(at_us) as exposed_at,
  platform,
  country
from (select *, ${categorySql(uniformSql('h', Tag.platform), SYNTH_PLATFORMS)} as platform, ${categorySql(uniformSql('h', Tag.country), SYNTH_COUNTRIES)} as country from copies)
${platformSrmFilter(plan)}
order by i, seq, copy`;
}

/** synth.platform_srm: drop that platform's control users' exposures at the configured rate (one draw per user). */
function platformSrmFilter(plan: SynthPlan): string {
  const f = plan.synth.platform_srm;
  if (!f || f.control_loss_rate <= 0) return '';
  const control = plan.variants.findIndex((v) => !v.isTreatment);
  return `where not (platform = ${str(f.platform)} and arm = ${num(control)} and ${chance(uniformSql('h', Tag.platformSrm), f.control_loss_rate)})`;
}

/** Rows of the outcomes file. */
export function outcomesSql(plan: SynthPlan, users: string): string {
  const s = plan.synth;
  const { control, treatment, orderValueSigma: sigma } = plan.model;
  const r = (tag: number): string => uniformSql('he', tag);
  const preLength = plan.prePeriodDays * DAY_US;
  // pretrend_drift: treatment pre-period events are thinned with a keep probability that
  // moves linearly over the pre days (from 1 - drift up to 1, or from 1 down to 1 + drift).
  const keepProbability = `1 - ${num(Math.max(s.pretrend_drift, 0))} + ${num(s.pretrend_drift)} * (at_us - ${num(plan.preStartUs)}) / ${num(Math.max(preLength, 1))}`;
  const postAt = `case when exposed
      then exposed_us + floor(${r(Tag.eventAt)} * (${num(plan.dataEndUs)} - exposed_us))::bigint
      else ${num(plan.startUs)} + floor(${r(Tag.eventAt)} * ${num(plan.days * DAY_US)})::bigint end`;
  const preAt = `${num(plan.preStartUs)} + floor(${r(Tag.eventAt)} * ${num(preLength)})::bigint`;
  // order value: lognormal m · exp(σN − σ²/2) (mean exactly m), in cents; m is the
  // treatment's for exposed treatment users' post-period purchases
  const orderMean = control.orderValueMean === treatment.orderValueMean
    ? num(control.orderValueMean)
    : `case when is_post and exposed and is_treatment then ${num(treatment.orderValueMean)} else ${num(control.orderValueMean)} end`;
  const spread = sigma > 0 ? ` * exp(${num(sigma)} * ${normalSql('he', Tag.value1, Tag.value2)} - ${num((sigma * sigma) / 2)})` : '';
  const revenue = `round(${orderMean}${spread}, 2)`;
  return `with slots as (
  select
    *,
    purchases_post + bounces_post + page_views_post as n_post,
    unnest(range(purchases_post + bounces_post + page_views_post + purchases_pre + bounces_pre + page_views_pre)) as j
  from ${users}
),
keyed as (
  select *, ${mix64Sql('state')} as he
  from (select *, ${childStateSql('h', 'j', Gamma.event)} as state from slots)
),
events as (
  select
    i, j, he, user_id, exposed, is_treatment, is_post,
    case
      when k < purchases then 'purchase'
      when k < purchases + bounces then 'bounce'
      else 'page_view'
    end as event,
    case when is_post then ${postAt} else ${preAt} end as at_us
  from (
    select
      *,
      j < n_post as is_post,
      case when j < n_post then j else j - n_post end as k,
      case when j < n_post then purchases_post else purchases_pre end as purchases,
      case when j < n_post then bounces_post else bounces_pre end as bounces
    from keyed
  )
),
faulted as (
  select
    i, j, he, user_id, event,
    case when event = 'purchase' then ${revenue} end as value,
    -- fault: a share of events arrives after the experiment window has closed
    case when ${chance(r(Tag.late), s.late_event_rate)}
      then ${num(plan.experimentEndUs)} + floor(${r(Tag.lateAt)} * ${LATE_SPREAD_US})::bigint
      else at_us end as at_us
  from events
  where is_post or not is_treatment or ${s.pretrend_drift === 0 ? 'true' : `${r(Tag.keep)} < ${keepProbability}`}
),
copies as (
  select *, unnest(range(case when ${chance(r(Tag.duplicate), s.duplicate_rate)} then 2 else 1 end)) as copy
  from faulted
)
select
  $experiment_id::varchar as experiment_id,
  case when ${chance(r(Tag.missingKey), s.missing_key_rate)} then null else user_id end as user_id,
  event,
  value::double as value,
  make_timestamp(at_us) as occurred_at
from copies
order by i, j, copy`;
}
