/**
 * The one adapter between a placebo replicate and the built-in analyses: the `ab` rows of
 * the replicate's aggregates (abRows), and the input the `decision` plugin would read for
 * them (as analyses/lib/decision-inputs.ts assembles it from the result tables), decided
 * by the same rules. By construction a replicate has no DQ failure; its SRM test is the
 * chi-square of the placebo split; it is the final look (window complete; with a
 * sequential plan, the look at information fraction 1 with no earlier look and no ledger).
 */
import { abRows } from '../analyses/lib/ab-rows.ts';
import { guardrailResult, primaryResult } from '../analyses/lib/decision-inputs.ts';
import { decide, type Decision, type DecisionInput } from '../analyses/lib/decision-rules.ts';
import { computeLook, type SequentialPlan } from '../analyses/lib/sequential-look.ts';
import { decisionConfig, type MetricPlan } from '../analyses/lib/settings.ts';
import type { OverallAggregate } from '../analyses/model-rows.ts';
import type { AbRow } from '../analyses/tables.ts';
import type { Experiment } from '../project/types.ts';
import { isNotEstimable, srmTest } from '../stats/index.ts';

/** Every decision code, in the order the report lists them. */
export const DECISION_CODES = ['ship', 'dont-ship', 'keep-running', 'no-detectable-effect', 'investigate'] as const satisfies readonly Decision[];
// a new decision code in decision-rules.ts must be listed above (tsc fails here until it is)
const everyCodeListed: Exclude<Decision, (typeof DECISION_CODES)[number]> extends never ? true : never = true;
void everyCodeListed;

export interface ReplicateOutcome {
  /** the ab plugin's rows for this split */
  readonly rows: readonly AbRow[];
  readonly decision: Decision;
}

function sequential(exp: Experiment, plans: readonly MetricPlan[], primaryRows: readonly AbRow[], arms: DecisionInput['arms']): DecisionInput['sequential'] {
  const s = exp.sequential;
  if (!s) return null;
  const plan: SequentialPlan = { looks: s.looks, spending: s.spending === 'pocock' ? 'pocock' : 'obrien-fleming', alpha: s.alpha, targetNPerArm: s.target_n_per_arm };
  const m = exp.treatments.length;
  const primary = plans.find((p) => p.role === 'primary')!;
  // the pre-registered estimator's z, as the sequential plugin computes it (the statistic does not depend on alpha)
  const variants = exp.treatments.map((v) => {
    const r = primaryRows.find((x) => x.variant === v);
    return { variant: v, z: r?.status === 'ok' ? r.statistic ?? null : null };
  });
  const outcome = computeLook({
    plan, direction: primary.direction, treatments: m,
    rawInformationFraction: Math.min(...arms.map((a) => a.n)) / plan.targetNPerArm,
    windowComplete: true, previous: [], variants,
    guardrailComparisons: plans.filter((p) => p.role === 'guardrail').length * m,
  });
  if (outcome.status !== 'ok') {
    return {
      look: outcome.look, plannedLooks: plan.looks, informationFraction: outcome.informationFraction, isFinal: true,
      boundary: null, nextInformationFraction: null, nextBoundary: null, alphaSpent: null, guardrailBoundary: null,
      variants: variants.map((v) => ({ variant: v.variant, decision: outcome.decision, z: v.z, boundary: null })),
    };
  }
  return {
    look: outcome.look, plannedLooks: plan.looks, informationFraction: outcome.informationFraction, isFinal: outcome.isFinal,
    boundary: outcome.boundary, nextInformationFraction: outcome.nextInformationFraction, nextBoundary: outcome.nextBoundary,
    alphaSpent: outcome.alphaSpent, guardrailBoundary: outcome.guardrailBoundary,
    variants: outcome.variants.map((v) => ({ variant: v.variant, decision: v.decision, z: v.z, boundary: outcome.boundary })),
  };
}

/** The srm plugin's overall test for the split's arm sizes (control first). */
function srm(arms: DecisionInput['arms'], shares: readonly number[], threshold: number): NonNullable<DecisionInput['srm']> {
  const r = srmTest(arms.map((a) => a.n), shares, { threshold });
  return isNotEstimable(r) ? { status: 'not-estimable', pValue: null, detail: r.detail } : { status: 'ok', pValue: r.pValue, detail: null };
}

/** Analyse and decide one replicate's split. `shares` are the configured shares, control first. */
export function analyseReplicate(exp: Experiment, plans: readonly MetricPlan[], shares: readonly number[], aggregates: readonly OverallAggregate[]): ReplicateOutcome {
  const cfg = decisionConfig(exp);
  const rows = abRows({ experiment: exp, plans, aggregates, decision: cfg });
  const primary = plans.find((p) => p.role === 'primary')!;
  const primaryRows = exp.treatments.map((v) => rows.find((r) => r.metric === primary.name && r.variant === v)).filter((r): r is AbRow => !!r);
  const nOf = (variant: string): number => aggregates.find((a) => a.metric === primary.name && a.variant === variant)?.n ?? 0;
  const arms = [exp.control, ...exp.treatments].map((variant) => ({ variant, n: nOf(variant) }));
  const input: DecisionInput = {
    primaryMetric: primary.name,
    direction: primary.direction,
    alpha: exp.alpha,
    srmThreshold: cfg.srm_threshold,
    minSamplePerArm: cfg.min_sample_per_arm,
    dqFailures: [],
    dqWarnings: [],
    srm: srm(arms, shares, cfg.srm_threshold),
    arms,
    primary: primaryRows.map(primaryResult),
    guardrails: rows.filter((r) => r.metric_role === 'guardrail').map(guardrailResult),
    sequential: sequential(exp, plans, primaryRows, arms),
    windowComplete: true,
  };
  return { rows, decision: decide(input).decision };
}
