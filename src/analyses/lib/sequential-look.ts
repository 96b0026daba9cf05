/**
 * This build's sequential look, computed without I/O: the information fraction, the
 * group-sequential boundary given the earlier looks (from the ledger), the boundary the
 * next look must cross, and the decision per treatment (docs/statistics.md#plugins).
 *
 * Two-sided design (alpha split alpha/2 per side, as the fixed-horizon tests), with the
 * family alpha split Bonferroni over the treatments of an A/B/n test. The final look —
 * information fraction 1, the planned window over, or the last planned look — spends all
 * the remaining alpha: it is computed at information fraction 1.
 */
import { groupSequentialBounds, type SpendingFunction } from '../../stats/index.ts';
import { isFavourable, type Direction } from './settings.ts';

export interface SequentialPlan {
  readonly looks: number;
  readonly spending: SpendingFunction;
  /** family-wise alpha of the design */
  readonly alpha: number;
  readonly targetNPerArm: number;
}

/** The primary metric's z of one treatment vs control at this look. */
export interface VariantZ {
  readonly variant: string;
  /** null when the comparison is not estimable */
  readonly z: number | null;
}

/** An earlier look as the ledger keeps it. */
export interface PreviousLook {
  readonly look: number;
  readonly informationFraction: number;
  /** the fraction its boundary was computed at (1 for a final look) */
  readonly spendingFraction: number;
  readonly final: boolean;
  readonly decision: string;
}

export type LookDecision = 'continue' | 'stop-efficacy' | 'stop-harm' | 'final-no-effect';

export interface LookInput {
  readonly plan: SequentialPlan;
  readonly direction: Direction;
  readonly treatments: number;
  /** min over arms of n / target_n_per_arm, uncapped */
  readonly rawInformationFraction: number;
  readonly windowComplete: boolean;
  readonly previous: readonly PreviousLook[];
  readonly variants: readonly VariantZ[];
  /** guardrails × treatments: the harm family whose boundary `guardrailBoundary` is */
  readonly guardrailComparisons?: number;
}

export interface VariantLook {
  readonly variant: string;
  readonly z: number | null;
  readonly crossed: boolean | null;
  readonly decision: LookDecision | null;
}

export type LookOutcome =
  | {
      readonly status: 'ok';
      readonly look: number;
      readonly informationFraction: number;
      readonly spendingFraction: number;
      readonly isFinal: boolean;
      readonly comparisonAlpha: number;
      /** |z| boundary; null when this look spends (almost) nothing and cannot stop */
      readonly boundary: number | null;
      readonly nominalAlpha: number;
      /** family alpha spent so far: comparison alpha spent × treatments (Bonferroni) */
      readonly alphaSpent: number;
      readonly nextInformationFraction: number | null;
      readonly nextBoundary: number | null;
      /**
       * |z| a guardrail must reach in its harmful direction at this look: the same spending
       * function at alpha / (guardrails × treatments) (Bonferroni over the harm family),
       * so guardrail harm stays at alpha/2 per direction across looks (Jennison & Turnbull
       * 2000, ch. 2 and 7); null without guardrails or when this look spends nothing.
       */
      readonly guardrailBoundary: number | null;
      readonly decision: LookDecision;
      readonly variants: readonly VariantLook[];
    }
  | {
      readonly status: 'no-information' | 'no-new-information' | 'after-final' | 'not-estimable';
      readonly look: number;
      readonly informationFraction: number;
      readonly comparisonAlpha: number;
      /** the last recorded look's decision, if any */
      readonly decision: string | null;
      readonly detail: string;
    };

const finite = (x: number | undefined): number | null => (x !== undefined && Number.isFinite(x) ? x : null);

/** The next planned look: the first of the equally spaced fractions k/K above the current one. */
export function nextPlannedFraction(current: number, looks: number): number | null {
  for (let k = 1; k <= looks; k++) {
    const t = k / looks;
    if (t > current + 1e-9) return t;
  }
  return null;
}

export function variantDecision(direction: Direction, z: number | null, boundary: number | null, isFinal: boolean): Pick<VariantLook, 'crossed' | 'decision'> {
  if (z === null) return { crossed: null, decision: null };
  const crossed = boundary !== null && Math.abs(z) >= boundary;
  if (crossed) return { crossed, decision: isFavourable(direction, z) ? 'stop-efficacy' : 'stop-harm' };
  return { crossed, decision: isFinal ? 'final-no-effect' : 'continue' };
}

/** Any treatment crossing for efficacy stops for efficacy; all estimable ones harmful stops for harm. */
export function lookDecision(variants: readonly Pick<VariantLook, 'decision'>[], isFinal: boolean): LookDecision {
  const decided = variants.map((v) => v.decision).filter((d): d is LookDecision => d !== null);
  if (decided.includes('stop-efficacy')) return 'stop-efficacy';
  if (decided.length > 0 && decided.every((d) => d === 'stop-harm')) return 'stop-harm';
  return isFinal ? 'final-no-effect' : 'continue';
}

export function computeLook(input: LookInput): LookOutcome {
  const { plan, previous } = input;
  const comparisonAlpha = plan.alpha / Math.max(1, input.treatments);
  const informationFraction = Math.min(1, Math.max(0, input.rawInformationFraction));
  const look = previous.length + 1;
  const last = previous[previous.length - 1];
  const stay = (status: 'no-information' | 'no-new-information' | 'after-final' | 'not-estimable', detail: string): LookOutcome =>
    ({ status, look, informationFraction, comparisonAlpha, decision: last?.decision ?? null, detail });
  if (last?.final) return stay('after-final', `look ${last.look} was the final look; later data takes no look`);
  if (!(informationFraction > 0)) return stay('no-information', 'an arm has no users yet: information fraction 0');
  const isFinal = informationFraction >= 1 || input.windowComplete || look >= plan.looks;
  if (!isFinal && last && informationFraction <= last.spendingFraction) {
    return stay('no-new-information', `information fraction ${informationFraction.toFixed(4)} is not above look ${last.look}'s ${last.spendingFraction.toFixed(4)}`);
  }
  if (input.variants.every((v) => v.z === null)) return stay('not-estimable', 'the primary metric is not estimable for any treatment');
  const spendingFraction = isFinal ? 1 : informationFraction;
  const fractions = [...previous.map((p) => p.spendingFraction), spendingFraction];
  const design = { alpha: comparisonAlpha, sided: 2 as const, spending: plan.spending };
  const bounds = groupSequentialBounds({ ...design, informationFractions: fractions });
  const k = fractions.length - 1;
  const boundary = finite(bounds.zBounds[k]);
  const next = isFinal ? null : nextPlannedFraction(informationFraction, plan.looks);
  const nextBoundary = next === null ? null : finite(groupSequentialBounds({ ...design, informationFractions: [...fractions, next] }).zBounds[k + 1]);
  const variants = input.variants.map((v) => ({ variant: v.variant, z: v.z, ...variantDecision(input.direction, v.z, boundary, isFinal) }));
  const g = input.guardrailComparisons ?? 0;
  const guardrailBoundary = g > 0
    ? finite(groupSequentialBounds({ alpha: plan.alpha / g, sided: 2, spending: plan.spending, informationFractions: fractions }).zBounds[k])
    : null;
  return {
    status: 'ok',
    look,
    informationFraction,
    spendingFraction,
    isFinal,
    comparisonAlpha,
    boundary,
    nominalAlpha: bounds.nominalAlpha[k] as number,
    alphaSpent: (bounds.cumulativeAlphaSpent[k] as number) * Math.max(1, input.treatments),
    nextInformationFraction: next,
    nextBoundary,
    guardrailBoundary,
    decision: lookDecision(variants, isFinal),
    variants,
  };
}

/** The z the ledger keeps for a look: the treatment most in favour of the metric's direction. */
export function leadingZ(direction: Direction, variants: readonly VariantZ[]): number | null {
  const zs = variants.map((v) => v.z).filter((z): z is number => z !== null);
  if (zs.length === 0) return null;
  return direction === 'increase' ? Math.max(...zs) : Math.min(...zs);
}
