/**
 * The generator's SQL. Everything random is a hash of (key, user, [event,] tag) mapped to
 * (0, 1), so a row's values depend only on the plan and its position: no JS loops over
 * users, no RNG state, the same bytes on every run and any thread count.
 *
 * Model (per user): a latent propensity z ~ N(0, 1) (Box–Muller) scales conversion,
 * activity and (inversely) bouncing in both periods, so the pre-period values are a
 * covariate that works for CUPED. Treatment lifts apply only to exposed treatment users'
 * post-period events.
 */
import type { SynthPlan } from './plan.ts';
import { REPEAT_EXPOSURE_RATE, REPEAT_PURCHASE_RATE } from './plan.ts';

const DAY_US = 86_400_000_000;
/** Late events land up to this long after the experiment ends. */
const LATE_SPREAD_US = 3 * DAY_US;
/**
 * Spread of the latent propensity's effect on conversion, activity and bouncing. With a
 * lognormal factor exp(σz − σ²/2) the mean rate stays the configured one (up to capping a
 * probability at 1) and a user's pre and post conversions correlate by about
 * base · (e^{σ²} − 1) / (1 − base): ≈ 0.26 for base 0.1 and σ = 1.1, enough for CUPED.
 */
const CONVERSION_SIGMA = 1.1;
const ACTIVITY_SIGMA = 0.5;
const BOUNCE_SIGMA = 0.4;

/** One tag per random draw: a new draw gets a new number, existing numbers never change. */
const Tag = {
  exposed: 1, arm: 2, day: 3, timeOfDay: 4, z1: 5, z2: 6,
  convPost: 10, repeatPost: 11, bouncePost: 12, pageViewsPost: 13,
  convPre: 20, repeatPre: 21, bouncePre: 22, pageViewsPre: 23,
  repeatExposure: 30, repeatExposureAt: 31, multiVariant: 32, multiVariantAt: 33,
  eventAt: 40, value1: 41, value2: 42, keep: 43, late: 44, lateAt: 45, missingKey: 46, duplicate: 47,
} as const;

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

/**
 * Uniform in (0, 1) from the top 53 bits of a hash: never exactly 0 or 1 (ln stays finite).
 * `base` is a per-user (or per-event) hash computed once; each draw xors in its tag times
 * an odd constant and hashes again. DuckDB's hash of a single integer is a murmur
 * finaliser (a bijection with full avalanche), so draws under different tags are
 * independent, which hashing several arguments at once (a multiply-xor combine) is not.
 */
function uniform(base: string, tag: number): string {
  const salt = (BigInt(tag) * 0x9e3779b97f4a7c15n) & 0xffffffffffffffffn;
  return `((hash(xor(${base}, ${salt}::ubigint)) >> 11)::double + 0.5) / 9007199254740992.0`;
}

/** Standard normal by Box–Muller from two uniforms. */
function normal(a: string, b: string): string {
  return `(sqrt(-2 * ln(${a})) * cos(2 * pi() * ${b}))`;
}

/**
 * One row per user (exposed or not): id, allocation, exposure time, the
 * latent propensity and how many purchases, bounces and page views each period holds.
 * The generator materialises it once (a table scans in parallel, `range()` does not).
 */
export function usersSql(plan: SynthPlan, indexes: string): string {
  const s = plan.synth;
  const arm = plan.variants
    .slice(0, -1)
    .map((v, i) => `when ${uniform('h', Tag.arm)} < ${num(v.upper)} then ${i}`)
    .join(' ');
  const treated = `[${plan.variants.map((v) => (v.isTreatment ? 'true' : 'false')).join(', ')}]`;
  const convFactor = `exp(${CONVERSION_SIGMA} * z - ${(CONVERSION_SIGMA ** 2) / 2})`;
  const activity = `exp(${ACTIVITY_SIGMA} * z - ${(ACTIVITY_SIGMA ** 2) / 2})`;
  const bounceFactor = `exp(${-BOUNCE_SIGMA} * z - ${(BOUNCE_SIGMA ** 2) / 2})`;
  const lift = (x: number): string => `case when exposed and is_treatment then ${num(1 + x)} else 1 end`;
  const purchases = (p: string, conv: number, repeat: number): string =>
    `case when ${uniform('h', conv)} < least(1, ${p}) then 1 + (${uniform('h', repeat)} < ${REPEAT_PURCHASE_RATE})::int else 0 end`;
  const bounces = (p: string, tag: number): string => `(${uniform('h', tag)} < least(1, ${p}))::int`;
  const pageViews = (mean: number, tag: number): string => `floor(${num(mean)} * ${activity} + ${uniform('h', tag)})::int`;
  const hasPre = plan.prePeriodDays > 0 ? 'exposed' : 'false';
  return `with drawn as (
  select
    i,
    h,
    'u' || lpad(i::varchar, ${plan.userIdWidth}, '0') as user_id,
    ${uniform('h', Tag.exposed)} < ${num(s.exposure_rate)} as exposed,
    case ${arm} else ${plan.variants.length - 1} end as arm,
    ${num(plan.startUs)}
      + floor(${uniform('h', Tag.day)} * ${plan.days})::bigint * ${DAY_US}
      + floor(${uniform('h', Tag.timeOfDay)} * ${DAY_US})::bigint as exposed_us,
    ${normal(uniform('h', Tag.z1), uniform('h', Tag.z2))} as z
  from (select i, hash(${plan.key}::ubigint, i) as h from ${indexes})
),
allocated as (
  select *, ${treated}[arm + 1] as is_treatment from drawn
)
select
  i, h, user_id, exposed, arm, is_treatment, exposed_us,
  ${purchases(`${num(s.base_conversion)} * ${convFactor} * ${lift(s.effect_lift_conversion)}`, Tag.convPost, Tag.repeatPost)} as purchases_post,
  ${bounces(`${num(s.base_bounce)} * ${bounceFactor} * ${lift(s.effect_lift_bounce)}`, Tag.bouncePost)} as bounces_post,
  ${pageViews(plan.pageViewsPost, Tag.pageViewsPost)} as page_views_post,
  -- only exposed users have a pre period: it is the CUPED covariate and the pre-trend baseline
  case when ${hasPre} then ${purchases(`${num(s.base_conversion)} * ${convFactor}`, Tag.convPre, Tag.repeatPre)} else 0 end as purchases_pre,
  case when ${hasPre} then ${bounces(`${num(s.base_bounce)} * ${bounceFactor}`, Tag.bouncePre)} else 0 end as bounces_pre,
  case when ${hasPre} then ${pageViews(plan.pageViewsPre, Tag.pageViewsPre)} else 0 end as page_views_pre
from allocated`;
}

/** Rows of the exposures file: first exposure, a harmless repeat, and the multi-variant fault. */
export function exposuresSql(plan: SynthPlan, users: string): string {
  const s = plan.synth;
  const names = `[${plan.variants.map((v) => str(v.name)).join(', ')}]`;
  const later = (tag: number): string => `exposed_us + floor(${uniform('h', tag)} * (${num(plan.dataEndUs)} - exposed_us))::bigint`;
  return `with exposure_rows as (
  select i, h, user_id, 0 as seq, arm, exposed_us as at_us from ${users} where exposed
  union all
  -- the same exposure logged again later: normal, core/exposures keeps the first
  select i, h, user_id, 1 as seq, arm, ${later(Tag.repeatExposureAt)} as at_us
  from ${users} where exposed and ${uniform('h', Tag.repeatExposure)} < ${REPEAT_EXPOSURE_RATE}
  union all
  -- fault: the same user exposed to the next variant as well
  select i, h, user_id, 2 as seq, (arm + 1) % ${plan.variants.length} as arm, ${later(Tag.multiVariantAt)} as at_us
  from ${users} where exposed and ${uniform('h', Tag.multiVariant)} < ${num(s.multi_variant_rate)}
),
copies as (
  select *, unnest(range(case when ${uniform('hash(h, seq)', Tag.duplicate)} < ${num(s.duplicate_rate)} then 2 else 1 end)) as copy
  from exposure_rows
)
select
  $experiment_id::varchar as experiment_id,
  case when ${uniform('hash(h, seq)', Tag.missingKey)} < ${num(s.missing_key_rate)} then null else user_id end as user_id,
  ${names}[arm + 1] as variant,
  make_timestamp(at_us) as exposed_at
from copies
order by i, seq, copy`;
}

/** Rows of the outcomes file. */
export function outcomesSql(plan: SynthPlan, users: string): string {
  const s = plan.synth;
  const r = (tag: number): string => uniform('he', tag);
  const preLength = plan.prePeriodDays * DAY_US;
  // pretrend_drift: treatment pre-period events are thinned with a keep probability that
  // moves linearly over the pre days (from 1 - drift up to 1, or from 1 down to 1 + drift).
  const keepProbability = `1 - ${num(Math.max(s.pretrend_drift, 0))} + ${num(s.pretrend_drift)} * (at_us - ${num(plan.preStartUs)}) / ${num(Math.max(preLength, 1))}`;
  const postAt = `case when exposed
      then exposed_us + floor(${r(Tag.eventAt)} * (${num(plan.dataEndUs)} - exposed_us))::bigint
      else ${num(plan.startUs)} + floor(${r(Tag.eventAt)} * ${num(plan.days * DAY_US)})::bigint end`;
  const preAt = `${num(plan.preStartUs)} + floor(${r(Tag.eventAt)} * ${num(preLength)})::bigint`;
  const revenue = `greatest(0.01, round(${num(s.revenue_mean)} * case when is_post and exposed and is_treatment then ${num(1 + s.effect_lift_revenue)} else 1 end
      + ${num(s.revenue_sd)} * ${normal(r(Tag.value1), r(Tag.value2))}, 2))`;
  return `with slots as (
  select
    *,
    purchases_post + bounces_post + page_views_post as n_post,
    unnest(range(purchases_post + bounces_post + page_views_post + purchases_pre + bounces_pre + page_views_pre)) as j
  from ${users}
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
      hash(h, j) as he,
      j < n_post as is_post,
      case when j < n_post then j else j - n_post end as k,
      case when j < n_post then purchases_post else purchases_pre end as purchases,
      case when j < n_post then bounces_post else bounces_pre end as bounces
    from slots
  )
),
faulted as (
  select
    i, j, he, user_id, event,
    case when event = 'purchase' then ${revenue} end as value,
    -- fault: a share of events arrives after the experiment window has closed
    case when ${r(Tag.late)} < ${num(s.late_event_rate)}
      then ${num(plan.experimentEndUs)} + floor(${r(Tag.lateAt)} * ${LATE_SPREAD_US})::bigint
      else at_us end as at_us
  from events
  where is_post or not is_treatment or ${r(Tag.keep)} < ${keepProbability}
),
copies as (
  select *, unnest(range(case when ${r(Tag.duplicate)} < ${num(s.duplicate_rate)} then 2 else 1 end)) as copy
  from faulted
)
select
  $experiment_id::varchar as experiment_id,
  case when ${r(Tag.missingKey)} < ${num(s.missing_key_rate)} then null else user_id end as user_id,
  event,
  value::double as value,
  make_timestamp(at_us) as occurred_at
from copies
order by i, j, copy`;
}
