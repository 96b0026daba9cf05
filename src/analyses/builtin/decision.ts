import { definePlugin } from '../../analyse/plugin.ts';
import { loadDecisionInput } from '../lib/decision-inputs.ts';
import { decide } from '../lib/decision-rules.ts';
import { decisionConfig } from '../lib/settings.ts';
import { DECISIONS, type DecisionRow } from '../tables.ts';

/**
 * The experiment's decision (investigate / dont-ship / ship / keep-running /
 * no-detectable-effect) with its reasons, from the DQ checks and the ab, srm and sequential
 * results (rules in analyses/lib/decision-rules.ts); recorded in the ledger.
 */
export default definePlugin({
  name: 'decision',
  description: 'decision rules: untrustworthy → harm → win → keep running / no detectable effect',
  reads: ['dq_results', 'analysis_results', 'srm_results', 'sequential_looks'],
  after: ['ab', 'srm', 'sequential'],
  writes: { decisions: DECISIONS },
  async run(ctx) {
    const input = await loadDecisionInput(ctx);
    const out = decide(input);
    const best = input.primary.find((p) => p.variant === (out.bestTreatment ?? out.leadingTreatment));
    const seq = input.sequential;
    const row: DecisionRow = {
      decision: out.decision, rule: out.rule, headline: out.headline,
      best_treatment: out.bestTreatment, leading_treatment: out.leadingTreatment,
      primary_metric: input.primaryMetric, direction: input.direction,
      primary_relative_lift: best?.relativeLift ?? null, primary_relative_ci_lower: best?.relativeCiLower ?? null,
      primary_relative_ci_upper: best?.relativeCiUpper ?? null, primary_p_value_adjusted: best?.pValueAdjusted ?? null,
      sequential: seq !== null, look: seq?.look ?? null, planned_looks: seq?.plannedLooks ?? null,
      information_fraction: seq?.informationFraction ?? null, is_final: out.isFinal, boundary: seq?.boundary ?? null,
      next_information_fraction: seq?.nextInformationFraction ?? null, next_boundary: seq?.nextBoundary ?? null, alpha_spent: seq?.alphaSpent ?? null,
      mde_absolute: best?.mdeAbsolute ?? null, mde_relative: best?.mdeRelative ?? null,
      reasons: out.reasons, treatment_verdicts: out.verdicts,
      rules: { ...decisionConfig(ctx.experiment), alpha: input.alpha, correction: ctx.experiment.correction },
    };
    await ctx.ledger.recordDecision({
      decision: out.decision,
      reason: out.headline,
      ...(seq?.look != null ? { look: seq.look } : {}),
      details: { rule: out.rule, best_treatment: out.bestTreatment, reasons: out.reasons.filter((r) => r.kind === 'blocking').map((r) => r.code) },
    });
    if (out.decision === 'investigate' || out.decision === 'dont-ship') ctx.warn(out.headline);
    return { decisions: [row] };
  },
});
