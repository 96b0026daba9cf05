import { definePlugin } from '../../analyse/plugin.ts';
import { isNotEstimable } from '../../stats/index.ts';
import { loadDaily, loadOverall, overallArm } from '../lib/aggregates.ts';
import type { ComparisonResult } from '../lib/compare.ts';
import { preRegisteredEstimate } from '../lib/estimator.ts';
import { computeLook, leadingZ, type SequentialPlan } from '../lib/sequential-look.ts';
import { alwaysValid, currentRows, historyRows, previousLook, type GuardrailZ, type LookDetails } from '../lib/sequential-rows.ts';
import { metricPlans } from '../lib/settings.ts';
import { SEQUENTIAL_LOOKS, type SequentialRow } from '../tables.ts';

const NOT_RUNNING: Readonly<Record<string, string>> = {
  draft: 'the experiment is a draft: the look is computed but not recorded; `xp experiment start` it to take looks',
  paused: 'the experiment is paused: the look is computed but not recorded',
  completed: 'the experiment is completed: no more looks',
  stopped: 'the experiment is stopped: no more looks',
  cancelled: 'the experiment is cancelled: no more looks',
};

/**
 * Group-sequential monitoring of the primary metric: each build of a running experiment on
 * new data is a look, recorded in the ledger (the same input snapshot never takes a second
 * look); the boundary comes from the spending function given every earlier look's
 * information fraction. An always-valid (mSPRT) p-value over the daily data rides along.
 */
export default definePlugin({
  name: 'sequential',
  description: 'this build\'s sequential look: information fraction, boundary, z, decision; recorded in the ledger',
  reads: ['metric_aggregates_overall', 'metric_aggregates_daily'],
  writes: { sequential_looks: SEQUENTIAL_LOOKS },
  async run(ctx) {
    const exp = ctx.experiment;
    const plans = metricPlans(exp, ctx.metrics);
    const primary = plans.find((p) => p.role === 'primary')!;
    const guardrailPlans = plans.filter((p) => p.role === 'guardrail');
    const guardrails = guardrailPlans.length;
    const all = await loadOverall(ctx);
    const overall = all.filter((r) => r.metric === primary.name);
    const daily = (await loadDaily(ctx)).filter((r) => r.metric === primary.name);
    const arms = new Map(overall.map((r) => [r.variant, r.n]));
    const minN = Math.min(...[exp.control, ...exp.treatments].map((v) => arms.get(v) ?? 0));
    const postDays = daily.filter((d) => d.period === 'post').map((d) => d.day_index);
    const lastDay = postDays.length ? Math.max(...postDays) : null;
    const ledger = await ctx.ledger.lookContext();
    const windowComplete = (lastDay !== null && lastDay >= exp.days - 1) || ledger.status === 'completed' || ledger.status === 'stopped';
    const base: SequentialRow = {
      metric: primary.name, direction: primary.direction, control_variant: exp.control, ledger_status: ledger.status,
      min_n_per_arm: minN, last_day_index: lastDay, window_days: exp.days, window_complete: windowComplete,
    };
    const m = exp.treatments.length;
    const comparisonsAt = (alpha: number): Map<string, ComparisonResult> => {
      const c = overall.find((r) => r.variant === exp.control);
      return new Map(exp.treatments.map((v) => {
        const t = overall.find((r) => r.variant === v);
        const r: ComparisonResult = c && t
          ? preRegisteredEstimate(primary, { control: c, treatment: t }, { control: overallArm(c), treatment: overallArm(t) }, { alpha, difference: 'absolute' })
          : { status: 'not-estimable', reason: 'EMPTY_VARIANT', detail: `metric_aggregates_overall has no ${primary.name} row for ${c ? v : exp.control}` };
        return [v, r];
      }));
    };

    if (!exp.sequential) {
      const comparisons = comparisonsAt(exp.alpha / Math.max(1, m));
      const outcome = { status: 'no-information' as const, look: 0, informationFraction: 0, comparisonAlpha: exp.alpha / Math.max(1, m), decision: null, detail: 'no sequential plan: a fixed-horizon test read at the end of the window' };
      const rows = currentRows({ ...base, look_status: 'no-plan', alpha: exp.alpha }, outcome, comparisons, arms, exp.control,
        () => ({ always_valid_status: 'not-applicable', always_valid_reason: 'NO_PLAN' }));
      return { sequential_looks: rows.map((r) => ({ ...r, look: null, information_fraction: null })) };
    }

    const s = exp.sequential;
    const plan: SequentialPlan = { looks: s.looks, spending: s.spending === 'pocock' ? 'pocock' : 'obrien-fleming', alpha: s.alpha, targetNPerArm: s.target_n_per_arm };
    const comparisons = comparisonsAt(plan.alpha / Math.max(1, m));
    // each guardrail's z by the same pre-registered estimator, kept with the look
    const guardrailZ: GuardrailZ = Object.fromEntries(guardrailPlans.map((g) => {
      const c = all.find((r) => r.metric === g.name && r.variant === exp.control);
      return [g.name, Object.fromEntries(exp.treatments.map((v) => {
        const t = all.find((r) => r.metric === g.name && r.variant === v);
        const r = c && t ? preRegisteredEstimate(g, { control: c, treatment: t }, { control: overallArm(c), treatment: overallArm(t) }, { alpha: plan.alpha, difference: 'absolute' }) : null;
        return [v, r && !isNotEstimable(r) ? r.statistic : null];
      }))];
    }));
    const earlier = ledger.currentLook ? ledger.looks.filter((l) => l.look < ledger.currentLook!.look) : [...ledger.looks];
    const variants = [...comparisons].map(([variant, r]) => ({ variant, z: isNotEstimable(r) ? null : r.statistic }));
    const outcome = computeLook({
      plan, direction: primary.direction, treatments: m, rawInformationFraction: minN / plan.targetNPerArm,
      windowComplete, previous: earlier.map(previousLook), variants, guardrailComparisons: guardrails * m,
    });

    let lookStatus: string = outcome.status;
    let note: string | null = outcome.status === 'ok' ? null : outcome.detail;
    if (ledger.currentLook) {
      lookStatus = 'already-recorded';
      note = `this input snapshot took look ${ledger.currentLook.look} already; rebuilding it takes no new look`;
    } else if (outcome.status === 'ok' && !ledger.canLook) {
      lookStatus = 'not-recorded';
      note = NOT_RUNNING[ledger.status] ?? `the experiment is ${ledger.status}: the look is not recorded`;
    } else if (outcome.status === 'ok') {
      const details: LookDetails = {
        final: outcome.isFinal, spendingFraction: outcome.spendingFraction, metric: primary.name,
        guardrailBoundary: outcome.guardrailBoundary, guardrailZ,
        variants: outcome.variants.map((v) => {
          const r = comparisons.get(v.variant)!;
          return {
            variant: v.variant, z: v.z, estimate: isNotEstimable(r) ? null : r.estimate, se: isNotEstimable(r) ? null : r.se,
            control_n: arms.get(exp.control) ?? 0, treatment_n: arms.get(v.variant) ?? 0, crossed: v.crossed, decision: v.decision,
          };
        }),
      };
      const recorded = await ctx.ledger.recordLook({
        informationFraction: outcome.informationFraction, z: leadingZ(primary.direction, variants), boundary: outcome.boundary,
        alphaSpent: outcome.alphaSpent, decision: outcome.decision, details: details as unknown as Record<string, unknown>,
      });
      lookStatus = recorded.recorded ? 'recorded' : recorded.reason === 'same-input' ? 'already-recorded' : 'not-recorded';
      note = recorded.recorded ? `look ${recorded.look.look} of ${plan.looks} recorded in the ledger` : recorded.reason === 'same-input'
        ? `this input snapshot took look ${recorded.look.look} already` : NOT_RUNNING[recorded.status] ?? null;
    }
    const planned: SequentialRow = {
      ...base, planned_looks: plan.looks, target_n_per_arm: plan.targetNPerArm, spending: plan.spending, alpha: plan.alpha,
    };
    const history = historyRows(earlier, planned, plan);
    const current = currentRows({ ...planned, look_status: lookStatus, look_note: note }, outcome, comparisons, arms, exp.control,
      (variant) => alwaysValid(primary, daily, exp.control, variant, plan.alpha / Math.max(1, m), plan));
    if (lookStatus === 'recorded' && outcome.status === 'ok' && outcome.decision !== 'continue') {
      ctx.warn(`sequential look ${outcome.look}: ${outcome.decision} (boundary ${outcome.boundary?.toFixed(3) ?? 'none'})`);
    }
    return { sequential_looks: [...history, ...current.map((r) => ({ ...r, guardrail_z: guardrailZ }))] };
  },
});
