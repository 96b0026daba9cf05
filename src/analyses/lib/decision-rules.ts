/**
 * The decision rules of docs/statistics.md#decision-rules, as one pure function over the
 * analyses' results (no DuckDB: tests construct the inputs). Evaluated in order:
 *   1. untrustworthy → investigate: a failed error-severity DQ check (including a primary
 *      metric whose event never occurs), or SRM (p < threshold)
 *   2. harm → dont-ship: a metric significantly worse in its harmful direction — the
 *      primary by its sequential harm boundary (or, without a plan, its fixed-horizon test
 *      at the final look); a guardrail by its one-sided test at alpha / (2 × guardrails ×
 *      treatments), through the same spending function across looks with a plan
 *   3. win → ship: the primary significantly better by its pre-registered estimator
 *      (efficacy boundary crossed, or the fixed-horizon test at the end of the window), no
 *      guardrail harmed, every opted-in non-inferiority guardrail shown non-inferior, every
 *      arm at least min_sample_per_arm
 *   4. guardrail-inconclusive → keep-running: the primary wins but a non-inferiority
 *      guardrail cannot rule out its margin yet (with the users it needs)
 *   5. otherwise keep-running, or at the final look no-detectable-effect (with the MDE).
 * Harm and win are judged per treatment; an A/B/n test ships its best winning treatment.
 * Not showing non-inferiority is never "harm" (Kohavi, Tang & Xu 2020, ch. 21).
 */
import { isFavourable, type Direction } from './settings.ts';

export type Decision = 'investigate' | 'dont-ship' | 'ship' | 'keep-running' | 'no-detectable-effect';
export type Rule = 'untrustworthy' | 'harm' | 'win' | 'guardrail-inconclusive' | 'inconclusive';

export interface PrimaryResult {
  readonly variant: string;
  readonly status: string;
  readonly reason: string | null;
  readonly absoluteLift: number | null;
  readonly relativeLift: number | null;
  readonly relativeCiLower: number | null;
  readonly relativeCiUpper: number | null;
  readonly pValueAdjusted: number | null;
  /** 'better' | 'worse' | 'inconclusive' after correction; null when not estimable */
  readonly outcome: string | null;
  readonly mdeAbsolute: number | null;
  readonly mdeRelative: number | null;
}

export interface GuardrailResult {
  readonly metric: string;
  readonly variant: string;
  readonly direction: Direction;
  readonly status: string;
  readonly reason: string | null;
  readonly relativeLift: number | null;
  readonly relativeCiLower: number | null;
  readonly relativeCiUpper: number | null;
  /** the pre-registered test's z (absolute difference) */
  readonly statistic: number | null;
  readonly margin: number | null;
  /** the one-sided harm test at harm_alpha rejected (a fixed-horizon reading) */
  readonly harm: boolean | null;
  /** the worst relative effect the harm test cannot rule out */
  readonly harmBound: number | null;
  /** opted in to non-inferiority */
  readonly noninferiority: boolean;
  readonly noninferiorityBound: number | null;
  /** non-inferiority shown (opted-in guardrails only) */
  readonly pass: boolean | null;
  /** users per arm non-inferiority would need at the design power */
  readonly niNPerArm: number | null;
  readonly controlN: number | null;
}

export interface SequentialState {
  readonly variant: string;
  readonly decision: string | null;
  readonly z: number | null;
  readonly boundary: number | null;
}

export interface DecisionInput {
  readonly primaryMetric: string;
  readonly direction: Direction;
  readonly alpha: number;
  readonly srmThreshold: number;
  readonly minSamplePerArm: number;
  /** error-severity DQ checks that failed, and warn-level ones (notes) */
  readonly dqFailures: readonly { readonly check: string; readonly details: string }[];
  readonly dqWarnings: readonly { readonly check: string; readonly details: string }[];
  /** the overall SRM test; undefined when the srm plugin wrote nothing */
  readonly srm?: { readonly status: string; readonly pValue: number | null; readonly detail?: string | null };
  /** analysed users per arm, control first */
  readonly arms: readonly { readonly variant: string; readonly n: number }[];
  readonly primary: readonly PrimaryResult[];
  readonly guardrails: readonly GuardrailResult[];
  /** null without a sequential plan */
  readonly sequential: null | {
    readonly look: number | null;
    readonly plannedLooks: number;
    readonly informationFraction: number | null;
    readonly isFinal: boolean;
    readonly boundary: number | null;
    readonly nextInformationFraction: number | null;
    readonly nextBoundary: number | null;
    readonly alphaSpent: number | null;
    /** |z| a guardrail must reach in its harmful direction at this look (null: none can stop) */
    readonly guardrailBoundary: number | null;
    readonly variants: readonly SequentialState[];
  };
  /** the data reach the last day of the planned window */
  readonly windowComplete: boolean;
}

export interface Reason {
  readonly code: string;
  readonly message: string;
  readonly variant?: string;
  readonly metric?: string;
  /** 'blocking' reasons decide; 'note' reasons inform */
  readonly kind: 'blocking' | 'note';
}

export interface TreatmentVerdict {
  readonly variant: string;
  readonly verdict: 'harm' | 'win' | 'inconclusive' | 'not-estimable';
  readonly reasons: readonly Reason[];
}

export interface DecisionOutcome {
  readonly decision: Decision;
  readonly rule: Rule;
  readonly headline: string;
  readonly bestTreatment: string | null;
  readonly leadingTreatment: string | null;
  readonly isFinal: boolean;
  readonly reasons: readonly Reason[];
  readonly verdicts: readonly TreatmentVerdict[];
}

const pct = (x: number | null): string => (x === null ? 'n/a' : `${x >= 0 ? '+' : '−'}${Math.abs(x * 100).toFixed(1)}%`);
const level = (alpha: number): string => `${+((1 - alpha) * 100).toFixed(1)}%`;
const ci = (lo: number | null, hi: number | null, alpha: number): string => (lo === null || hi === null ? '' : `, ${level(alpha)} CI ${pct(lo)} to ${pct(hi)}`);
/** A metric's name as people read it: bounce_rate → bounce rate. */
export const metricLabel = (name: string): string => name.replaceAll('_', ' ');
const thousands = (n: number): string => Math.round(n).toLocaleString('en-US');

/** The final look: the sequential plan's last look, or the end of the window without one. */
export function isFinalLook(input: Pick<DecisionInput, 'sequential' | 'windowComplete'>): boolean {
  return input.sequential ? input.sequential.isFinal : input.windowComplete;
}

function untrustworthy(input: DecisionInput): Reason[] {
  const reasons: Reason[] = input.dqFailures.map((f) => ({ code: 'DQ_FAILED', kind: 'blocking' as const, message: `data-quality check ${f.check} failed: ${f.details}` }));
  const srm = input.srm;
  if (srm && srm.status === 'ok' && srm.pValue !== null && srm.pValue < input.srmThreshold) {
    reasons.push({ code: 'SRM', kind: 'blocking', message: `sample-ratio mismatch: p = ${srm.pValue.toExponential(2)} < ${input.srmThreshold}; ${input.arms.map((a) => `${a.variant} ${a.n}`).join(', ')}` });
  } else if (srm && srm.status !== 'ok') {
    reasons.push({ code: 'SRM_NOT_ESTIMABLE', kind: 'blocking', message: `the sample-ratio test is not estimable${srm.detail ? `: ${srm.detail}` : ''}` });
  }
  return reasons;
}

/** A guardrail harmed at this look: its sequential harm boundary with a plan, else its fixed-horizon test at the final look. */
function guardrailHarmed(input: DecisionInput, g: GuardrailResult, final: boolean): boolean {
  if (g.status !== 'ok') return false;
  if (input.sequential) {
    const b = input.sequential.guardrailBoundary;
    return b !== null && g.statistic !== null && Math.abs(g.statistic) >= b && !isFavourable(g.direction, g.statistic);
  }
  return final && g.harm === true;
}

function verdictFor(input: DecisionInput, p: PrimaryResult, final: boolean): TreatmentVerdict {
  const v = p.variant;
  const harm: Reason[] = [];
  const pending: Reason[] = [];
  const notes: Reason[] = [];
  const seq = input.sequential?.variants.find((s) => s.variant === v);
  const a = input.alpha;
  for (const g of input.guardrails.filter((x) => x.variant === v)) {
    const name = metricLabel(g.metric);
    if (guardrailHarmed(input, g, final)) {
      harm.push({ code: 'GUARDRAIL_HARM', kind: 'blocking', variant: v, metric: g.metric, message: `${name} is significantly worse (${pct(g.relativeLift)}${ci(g.relativeCiLower, g.relativeCiUpper, a)})` });
    } else if (g.noninferiority && g.pass !== true) {
      const more = g.niNPerArm !== null && g.controlN !== null ? Math.max(0, g.niNPerArm - g.controlN) : null;
      pending.push({ code: 'GUARDRAIL_INCONCLUSIVE', kind: 'blocking', variant: v, metric: g.metric,
        message: `the guardrail ${name} cannot rule out a ${pct(g.direction === 'decrease' ? g.margin : g.margin === null ? null : -g.margin)} change yet${more !== null ? `; about ${thousands(more)} more users per arm needed` : ''}` });
    } else if (g.status === 'ok' && g.harmBound !== null) {
      notes.push({ code: 'GUARDRAIL_NOT_WORSE', kind: 'note', variant: v, metric: g.metric,
        message: `${name} is not significantly worse (${pct(g.relativeLift)}${ci(g.relativeCiLower, g.relativeCiUpper, a)}); the data cannot yet rule out ${pct(g.harmBound)}` });
    }
  }
  const primaryWorse = input.sequential ? seq?.decision === 'stop-harm' : final && p.outcome === 'worse';
  if (primaryWorse) {
    harm.push({ code: 'PRIMARY_WORSE', kind: 'blocking', variant: v, metric: input.primaryMetric, message: `${metricLabel(input.primaryMetric)} is significantly worse (${pct(p.relativeLift)}${ci(p.relativeCiLower, p.relativeCiUpper, a)})${seq?.decision === 'stop-harm' ? ', past the harm boundary' : ''}` });
  }
  if (harm.length) return { variant: v, verdict: 'harm', reasons: harm };
  if (p.status !== 'ok') {
    return { variant: v, verdict: 'not-estimable', reasons: [{ code: 'PRIMARY_NOT_ESTIMABLE', kind: 'blocking', variant: v, metric: input.primaryMetric, message: `${input.primaryMetric} is not estimable for ${v}: ${p.reason}` }] };
  }
  const better = input.sequential ? seq?.decision === 'stop-efficacy' : final && p.outcome === 'better';
  const small = input.arms.filter((x) => x.n < input.minSamplePerArm);
  const what = `${metricLabel(input.primaryMetric)} ${pct(p.relativeLift)}${ci(p.relativeCiLower, p.relativeCiUpper, a)}`;
  if (better && small.length === 0 && pending.length === 0) {
    const how = input.sequential ? `past the efficacy boundary (z = ${seq?.z?.toFixed(2)} ≥ ${seq?.boundary?.toFixed(2)})` : `adjusted p = ${p.pValueAdjusted?.toPrecision(2)} at the end of the window`;
    return { variant: v, verdict: 'win', reasons: [{ code: 'PRIMARY_BETTER', kind: 'blocking', variant: v, metric: input.primaryMetric, message: `${what}: ${how}; no guardrail is worse` }, ...notes] };
  }
  const reasons: Reason[] = [...pending];
  if (better && small.length) reasons.push({ code: 'INSUFFICIENT_SAMPLE', kind: 'blocking', variant: v, message: `fewer than ${input.minSamplePerArm} users in ${small.map((x) => `${x.variant} (${x.n})`).join(', ')}` });
  if (better && pending.length) reasons.push({ code: 'PRIMARY_BETTER', kind: 'note', variant: v, metric: input.primaryMetric, message: `${what}: significantly better` });
  if (!better) {
    const why = input.sequential
      ? `z = ${seq?.z?.toFixed(2) ?? 'n/a'} has not crossed the boundary ${seq?.boundary?.toFixed(2) ?? 'n/a'}`
      : p.outcome === 'better' ? 'significant, but a fixed-horizon test is read only at the end of its window' : `not significant (adjusted p = ${p.pValueAdjusted?.toPrecision(2)})`;
    reasons.push({ code: 'NOT_SIGNIFICANT', kind: 'note', variant: v, metric: input.primaryMetric, message: `${what}: ${why}` });
  }
  return { variant: v, verdict: 'inconclusive', reasons: [...reasons, ...notes] };
}

/** The treatment ahead on the primary metric (by relative lift in the metric's direction). */
function leading(input: DecisionInput, candidates: readonly PrimaryResult[]): PrimaryResult | null {
  const ok = candidates.filter((p) => p.relativeLift !== null || p.absoluteLift !== null);
  if (!ok.length) return null;
  const score = (p: PrimaryResult): number => {
    const x = p.relativeLift ?? p.absoluteLift ?? 0;
    return isFavourable(input.direction, 1) ? x : -x;
  };
  return ok.reduce((best, p) => (score(p) > score(best) ? p : best));
}

export function decide(input: DecisionInput): DecisionOutcome {
  const final = isFinalLook(input);
  const notes: Reason[] = input.dqWarnings.map((w) => ({ code: 'DQ_WARNING', kind: 'note' as const, message: `data-quality warning ${w.check}: ${w.details}` }));
  const lead = leading(input, input.primary);
  const base = { isFinal: final, leadingTreatment: lead?.variant ?? null };

  const distrust = untrustworthy(input);
  if (distrust.length) {
    return { ...base, decision: 'investigate', rule: 'untrustworthy', bestTreatment: null, reasons: [...distrust, ...notes], verdicts: [],
      headline: `Investigate: the results are not trustworthy (${distrust.map((r) => r.message.split(':')[0]).join('; ')}); no ship recommendation.` };
  }

  const verdicts = input.primary.map((p) => verdictFor(input, p, final));
  const winners = input.primary.filter((p) => verdicts.find((v) => v.variant === p.variant)?.verdict === 'win');
  const harmful = verdicts.filter((v) => v.verdict === 'harm');
  const all = verdicts.flatMap((v) => v.reasons);
  const seq = input.sequential;

  const best = leading(input, winners);
  if (best) {
    const others = harmful.flatMap((h) => h.reasons);
    return { ...base, decision: 'ship', rule: 'win', bestTreatment: best.variant, reasons: [...verdicts.find((v) => v.variant === best.variant)!.reasons, ...others, ...notes], verdicts,
      headline: `Ship ${best.variant}: ${metricLabel(input.primaryMetric)} is significantly better (${pct(best.relativeLift)}${ci(best.relativeCiLower, best.relativeCiUpper, input.alpha)})${seq ? ` at look ${seq.look ?? '?'} of ${seq.plannedLooks}` : ''}; no guardrail is worse.` };
  }
  if (harmful.length) {
    const named = harmful.map((h) => h.variant).join(', ');
    return { ...base, decision: 'dont-ship', rule: 'harm', bestTreatment: null, reasons: [...harmful.flatMap((h) => h.reasons), ...notes], verdicts,
      headline: `Don't ship ${named}: ${harmful[0]!.reasons[0]!.message}.` };
  }
  const inconclusive = verdicts.flatMap((v) => v.reasons).filter((r) => r.code === 'GUARDRAIL_INCONCLUSIVE');
  if (inconclusive.length && verdicts.some((v) => v.reasons.some((r) => r.code === 'PRIMARY_BETTER'))) {
    return { ...base, decision: 'keep-running', rule: 'guardrail-inconclusive', bestTreatment: null, verdicts, reasons: [...all, ...notes],
      headline: `Keep running: ${inconclusive[0]!.message}.` };
  }
  if (final) {
    const mde = lead && (lead.mdeRelative !== null ? `±${pct(lead.mdeRelative).slice(1)}` : lead.mdeAbsolute !== null ? `±${lead.mdeAbsolute.toPrecision(3)} (absolute)` : null);
    const reasons: Reason[] = [
      { code: 'NO_DETECTABLE_EFFECT', kind: 'blocking', metric: input.primaryMetric, message: `final look: no significant effect on ${input.primaryMetric}${mde ? `; the experiment could detect about ${mde}` : ''}` },
      ...all, ...notes,
    ];
    return { ...base, decision: 'no-detectable-effect', rule: 'inconclusive', bestTreatment: null, reasons, verdicts,
      headline: `No detectable effect on ${metricLabel(input.primaryMetric)}${lead ? ` (${lead.variant} ${pct(lead.relativeLift)}${ci(lead.relativeCiLower, lead.relativeCiUpper, input.alpha)})` : ''}${mde ? `; the test could detect about ${mde}` : ''}.` };
  }
  const next = seq?.nextInformationFraction != null
    ? `next look at information ${(seq.nextInformationFraction * 100).toFixed(0)}% must reach |z| ≥ ${seq.nextBoundary?.toFixed(2) ?? 'n/a'}`
    : 'read at the end of the window';
  const progress = seq ? `look ${seq.look ?? '?'} of ${seq.plannedLooks}, information ${((seq.informationFraction ?? 0) * 100).toFixed(0)}%` : 'the window is not over';
  return { ...base, decision: 'keep-running', rule: 'inconclusive', bestTreatment: null, verdicts,
    reasons: [{ code: 'KEEP_RUNNING', kind: 'blocking', message: `${progress}; ${next}` }, ...all, ...notes],
    headline: `Keep running: ${progress}; ${next}.` };
}
