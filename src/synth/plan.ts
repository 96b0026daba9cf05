/**
 * Resolve an experiment's `synth:` block into the numbers the generator's SQL needs.
 * Pure: no DuckDB, no I/O, so defaults and fault arithmetic are testable on their own.
 */
import { XpError } from '../core/errors.ts';
import type { Experiment, SynthConfig } from '../project/types.ts';
import { outcomeModel, REPEAT_PURCHASE_RATE, type OutcomeModel } from './model.ts';
import { GOLDEN_GAMMA, mix64 } from './random.ts';

const DAY_US = 86_400_000_000;

export interface SynthVariant {
  readonly name: string;
  /** generation share after the synth override and the SRM skew, normalised to sum 1 */
  readonly share: number;
  /** upper bound of this variant's slice of (0, 1): a user's uniform draw below it lands here */
  readonly upper: number;
  readonly isTreatment: boolean;
}

export interface SynthPlan {
  readonly experimentId: string;
  /** 64-bit key derived from (experiment id, seed): the root of every random stream */
  readonly key: bigint;
  readonly nUsers: number;
  /** digits of the largest user index, so user ids sort as strings too */
  readonly userIdWidth: number;
  /** days of data to generate (exposures are uniform over these days) */
  readonly days: number;
  readonly prePeriodDays: number;
  /** epoch microseconds of the experiment start, of the data end and of the experiment end */
  readonly startUs: bigint;
  readonly dataEndUs: bigint;
  readonly experimentEndUs: bigint;
  readonly preStartUs: bigint;
  readonly variants: readonly SynthVariant[];
  readonly synth: SynthConfig;
  /** per-arm rates and order values the data is drawn from (model.ts) */
  readonly model: OutcomeModel;
  /** expected page views per user and period, after purchases and bounces take their share */
  readonly pageViewsPost: number;
  readonly pageViewsPre: number;
  /** user ids are u<i + userOffset> (synth.user_offset; 0 keeps the ids every earlier version drew) */
  readonly userOffset: number;
  /** synth.interaction resolved against the partner's plan, absent without one */
  readonly interaction?: PlannedInteraction;
}

/**
 * A planted A×B interaction: a treatment user of this experiment converts at
 * `conversion` instead of the treatment rate when the partner experiment exposed the same
 * user (same user id) to `variant`. The partner's draws are recomputed from its own root
 * key, so both experiments' files stay independent generations.
 */
export interface PlannedInteraction {
  readonly partnerId: string;
  readonly partnerKey: bigint;
  /** this experiment's user index + indexShift = the partner's index of the same user id */
  readonly indexShift: number;
  readonly partnerUsers: number;
  readonly partnerExposureRate: number;
  /** the partner variant's slice [lower, upper) of the arm draw */
  readonly lower: number;
  readonly upper: number;
  readonly conversion: number;
}

/** Share of exposed users whose exposure is logged again later (same variant): not a fault. */
export const REPEAT_EXPOSURE_RATE = 0.1;

/** FNV-1a 64 of the text: a stable, dependency-free digest of the experiment id. */
function fnv1a64(text: string): bigint {
  let h = 0xcbf29ce484222325n;
  for (const byte of new TextEncoder().encode(text)) {
    h ^= BigInt(byte);
    h = (h * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return h;
}

/**
 * The root key of (experiment id, seed): both enter through mix64, so neighbouring seeds
 * (or ids) give unrelated keys; for a fixed id it is a bijection of the 64-bit seed.
 */
export function rootKey(experimentId: string, seed: number): bigint {
  const seedBits = BigInt.asUintN(64, BigInt(seed));
  return mix64(mix64(fnv1a64(experimentId)) ^ mix64((seedBits + 1n) * GOLDEN_GAMMA));
}

function startMicros(start: string): bigint {
  return BigInt(Date.parse(`${start}T00:00:00Z`)) * 1000n;
}

/** Generation shares: synth.variants overrides, then `srm_skew` moves share from control to the first treatment. */
function variantShares(experiment: Experiment, synth: SynthConfig): SynthVariant[] {
  const names = Object.keys(experiment.variants);
  const raw = new Map(names.map((n) => [n, synth.variants?.[n] ?? experiment.variants[n]!]));
  const firstTreatment = experiment.treatments[0];
  if (synth.srm_skew !== 0 && firstTreatment !== undefined) {
    const skew = Math.max(-raw.get(firstTreatment)!, Math.min(synth.srm_skew, raw.get(experiment.control)!));
    raw.set(experiment.control, raw.get(experiment.control)! - skew);
    raw.set(firstTreatment, raw.get(firstTreatment)! + skew);
  }
  const total = [...raw.values()].reduce((s, x) => s + x, 0);
  if (!(total > 0)) {
    throw new XpError('CONFIG_INVALID', `experiment ${experiment.id}: synth variant shares sum to 0`, {
      location: { file: experiment.file, line: experiment.line, experiment: experiment.id },
      hint: 'give at least one variant a positive share under synth.variants',
    });
  }
  let cumulative = 0;
  return names.map((name, i) => {
    const share = raw.get(name)! / total;
    cumulative += share;
    // The last slice always ends at 1 so float rounding never leaves a gap.
    return { name, share, upper: i === names.length - 1 ? 1 : cumulative, isTreatment: name !== experiment.control };
  });
}

function plannedInteraction(experiment: Experiment, synth: SynthConfig, treatmentConversion: number, partner: Experiment | undefined): PlannedInteraction | undefined {
  const planted = synth.interaction;
  if (!planted) return undefined;
  if (!partner?.synth || partner.id !== planted.with) {
    throw new XpError('CONFIG_INVALID', `experiment ${experiment.id}: synth.interaction.with "${planted.with}" is not an experiment with a synth: block`, {
      location: { file: experiment.file, line: experiment.line, experiment: experiment.id },
      hint: 'name another synthetic experiment of the project',
    });
  }
  const partnerPlan = synthPlan(partner);
  const index = partnerPlan.variants.findIndex((v) => v.name === planted.variant);
  const conversion = treatmentConversion * (1 + planted.lift_conversion);
  if (index < 0 || conversion > 1) {
    throw new XpError('CONFIG_INVALID', `experiment ${experiment.id}: synth.interaction plants a conversion of ${conversion} for variant "${planted.variant}" of ${partner.id}`, {
      location: { file: experiment.file, line: experiment.line, experiment: experiment.id },
      hint: 'name a variant of the partner and a lift that keeps the rate at most 1',
    });
  }
  return {
    partnerId: partner.id,
    partnerKey: partnerPlan.key,
    indexShift: (synth.user_offset ?? 0) - partnerPlan.userOffset,
    partnerUsers: partnerPlan.nUsers,
    partnerExposureRate: partnerPlan.synth.exposure_rate,
    lower: index === 0 ? 0 : partnerPlan.variants[index - 1]!.upper,
    upper: partnerPlan.variants[index]!.upper,
    conversion,
  };
}

/** `partner`: the experiment synth.interaction names, when it has one. */
export function synthPlan(experiment: Experiment, partner?: Experiment): SynthPlan {
  const synth = experiment.synth;
  if (!synth) {
    throw new XpError('CONFIG_INVALID', `experiment ${experiment.id} has no synth: block, so there is nothing to generate`, {
      location: { file: experiment.file, line: experiment.line, experiment: experiment.id },
      hint: 'add synth: { seed, n_users, ... } to the experiment, or load real raw data instead',
    });
  }
  const days = synth.days ?? experiment.days;
  const prePeriodDays = synth.pre_period_days ?? experiment.pre_period_days;
  const startUs = startMicros(experiment.start);
  // events_per_user is the average over both periods together, split by period length;
  // purchases and bounces come first, page views fill the rest of each period's budget.
  const totalDays = days + prePeriodDays;
  const fixedPerPeriod = synth.base_conversion * (1 + REPEAT_PURCHASE_RATE) + synth.base_bounce;
  const budget = (periodDays: number): number =>
    periodDays === 0 ? 0 : Math.max(0, (synth.events_per_user * periodDays) / totalDays - fixedPerPeriod);
  const userOffset = synth.user_offset ?? 0;
  const model = outcomeModel(experiment, synth);
  const interaction = plannedInteraction(experiment, synth, model.treatment.conversion, partner);
  return {
    experimentId: experiment.id,
    key: rootKey(experiment.id, synth.seed),
    nUsers: synth.n_users,
    userIdWidth: String(Math.max(0, synth.n_users - 1 + userOffset)).length,
    userOffset,
    ...(interaction && { interaction }),
    days,
    prePeriodDays,
    startUs,
    dataEndUs: startUs + BigInt(days) * BigInt(DAY_US),
    experimentEndUs: startUs + BigInt(experiment.days) * BigInt(DAY_US),
    preStartUs: startUs - BigInt(prePeriodDays) * BigInt(DAY_US),
    variants: variantShares(experiment, synth),
    synth,
    model,
    pageViewsPost: budget(days),
    pageViewsPre: budget(prePeriodDays),
  };
}
