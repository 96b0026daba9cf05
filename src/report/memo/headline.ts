/**
 * The memo's first lines: the decision and why, from the decision plugin's exp.decisions
 * row. Without one (the plugin is missing, skipped or failed) the memo says there is no
 * decision and still shows the primary metric's result.
 */
import type { Decision, Rule } from '../../analyses/lib/decision-rules.ts';
import type { AbRow, DecisionRow, SequentialRow } from '../../analyses/tables.ts';
import type { Experiment } from '../../project/types.ts';
import { fmtCount, fmtP, fmtPercent, fmtZ, groupNumbersInText } from '../format.ts';
import type { ReportInputs } from '../inputs.ts';
import type { Headline, Tone } from '../memo-data.ts';
import { estimatorName, orderedResults } from './metrics.ts';
import { sectionState } from './section-state.ts';
import { finalReason, positionOf } from './sequential.ts';
import { fmtLiftWithCi } from './values.ts';

/** Every decision code, so a code read back from exp.decisions can be narrowed to one. */
const DECISION_CODES: { readonly [D in Decision]: true } = {
  investigate: true, 'dont-ship': true, ship: true, 'keep-running': true, 'no-detectable-effect': true,
};

function isDecision(code: string): code is Decision {
  return Object.hasOwn(DECISION_CODES, code);
}

function decisionTone(decision: Decision, best: string | null): { tone: Tone; label: string } {
  switch (decision) {
    case 'investigate': return { tone: 'investigate', label: 'Investigate: the results are not trustworthy yet' };
    case 'dont-ship': return { tone: 'stop', label: 'Don\'t ship' };
    case 'ship': return { tone: 'ship', label: best ? `Ship ${best}` : 'Ship' };
    case 'keep-running': return { tone: 'wait', label: 'Keep running' };
    case 'no-detectable-effect': return { tone: 'neutral', label: 'No detectable effect' };
  }
}

/**
 * The decision code's tone and words (the codes of analyses/lib/decision-rules.ts); a code
 * outside that set, from a project's own decision plugin, is shown as written.
 */
export function toneOf(decision: string | null, best: string | null): { tone: Tone; label: string } {
  if (!decision) return { tone: 'unknown', label: 'No decision' };
  return isDecision(decision) ? decisionTone(decision, best) : { tone: 'unknown', label: decision };
}

/** What the decision is read from besides its own row: the experiment and, when there, the A/B and sequential rows. */
export interface HeadlineContext {
  readonly experiment: Experiment;
  /** exp.analysis_results rows, in the experiment's order */
  readonly abRows: readonly AbRow[];
  readonly sequentialRows: readonly SequentialRow[];
}

/** " (treatment vs control, CUPED)": whose lift it is and by which estimator. */
function comparison(ctx: HeadlineContext, variant: string | null): string {
  const ab = ctx.abRows.find((r) => r.metric === ctx.experiment.primary_metric && (variant === null || r.variant === variant));
  const parts = [variant ? `${variant} vs ${ctx.experiment.control}` : null, ab ? estimatorName(ab) : null].filter((x) => x !== null);
  return parts.length ? ` (${parts.join(', ')})` : '';
}

function primaryLine(ctx: HeadlineContext, decision: DecisionRow | undefined, tone: Tone): string | null {
  const metric = ctx.experiment.primary_metric;
  const best = decision?.best_treatment ?? decision?.leading_treatment ?? null;
  const caution = tone === 'investigate' ? ' (not to be acted on until the checks below are resolved)' : '';
  if (decision && (decision.primary_relative_lift ?? null) !== null) {
    const p = decision.primary_p_value_adjusted ?? null;
    return `${metric}${comparison(ctx, best)}: ${fmtLiftWithCi(decision.primary_relative_lift, decision.primary_relative_ci_lower, decision.primary_relative_ci_upper)}${p === null ? '' : `, ${fmtP(p, 'adjusted p')}`}${caution}`;
  }
  const rows = ctx.abRows.filter((r) => r.metric === metric && r.status === 'ok');
  if (!rows.length) return null;
  return rows.map((r) => {
    return `${metric}${comparison(ctx, r.variant ?? null)}: ${fmtLiftWithCi(r.relative_lift, r.relative_ci_lower, r.relative_ci_upper)}, ${fmtP(r.p_value_adjusted ?? r.p_value, 'adjusted p')}`;
  }).join('; ') + caution;
}

function progressLine(ctx: HeadlineContext, d: DecisionRow | undefined): string | null {
  if (!d || d.sequential === false) return null;
  const look = d.look ?? null;
  if (look === null) return null;
  const planned = d.planned_looks ?? ctx.experiment.sequential?.looks ?? look;
  const t = d.information_fraction ?? null;
  const nextB = d.next_boundary ?? null;
  const nextT = d.next_information_fraction ?? null;
  const current = ctx.sequentialRows.find((r) => r.is_current === true && r.look === look) ?? ctx.sequentialRows.find((r) => r.look === look);
  const at = t === null ? '' : ` at ${fmtPercent(t)} of the planned information`;
  if (d.is_final) return positionOf(look, planned, true, finalReason(current ?? { information_fraction: t, look, planned_looks: planned }), at);
  return positionOf(look, planned, false, '', at)
    + (nextB === null ? '' : `; the next look${nextT === null ? '' : ` (at ${fmtPercent(nextT)})`} must cross |z| ≥ ${fmtZ(nextB)}`);
}

/** Every rule code of analyses/lib/decision-rules.ts in words. */
const RULES: { readonly [R in Rule]: string } = {
  untrustworthy: 'untrustworthy: a data-quality check failed or the split is not what was planned, so no effect can be read yet',
  harm: 'harm: a metric is significantly worse in its harmful direction',
  win: 'win: the primary metric is significantly better and no guardrail is worse',
  'guardrail-inconclusive': 'guardrail not yet shown non-inferior: the primary may be better, but a guardrail that opted in has not ruled out its margin',
  inconclusive: 'inconclusive: no significant effect on the primary metric',
};

export function ruleText(rule: string | null): string | null {
  if (rule === null) return null;
  return Object.hasOwn(RULES, rule) ? RULES[rule as Rule] : rule;
}

/**
 * The decision's reasons: a json list of strings, or of { message, kind } objects where
 * kind 'note' informs and anything else decides; a reason about one treatment names it.
 */
export function reasonsOf(row: DecisionRow | undefined): { reasons: string[]; notes: string[] } {
  const list = row?.reasons ?? null;
  const reasons: string[] = [];
  const notes: string[] = [];
  for (const r of Array.isArray(list) ? list : typeof list === 'string' && list ? [list] : []) {
    if (typeof r === 'string') { reasons.push(groupNumbersInText(r)); continue; }
    if (r === null || typeof r !== 'object') continue;
    const o = r as { message?: unknown; kind?: unknown; code?: unknown; variant?: unknown };
    const message = typeof o.message === 'string' ? o.message : typeof o.code === 'string' ? o.code : JSON.stringify(o);
    // one reason per treatment reads the same for each: say whose it is
    const text = typeof o.variant === 'string' && !message.includes(o.variant) ? `${o.variant}: ${message}` : message;
    // the plugin's counts read as the memo's: "control 7508" → "control 7,508"
    (o.kind === 'note' ? notes : reasons).push(groupNumbersInText(text));
  }
  return { reasons, notes };
}

/**
 * The decision as people read it, from a decisions row: also what the docs' experiment
 * page shows, so the site and the memo word a decision the same way.
 */
export function decisionHeadline(ctx: HeadlineContext, d: DecisionRow | undefined): Omit<Headline, 'status' | 'note'> {
  const decision = d?.decision ?? null;
  const best = d?.best_treatment ?? null;
  const { tone, label } = toneOf(decision, best);
  const mdeRel = d?.mde_relative ?? null;
  const rule = d?.rule ?? null;
  return {
    decision,
    label,
    tone,
    summary: d?.headline == null ? null : groupNumbersInText(d.headline),
    rule,
    ruleText: ruleText(rule),
    ...reasonsOf(d),
    bestTreatment: best,
    primary: primaryLine(ctx, d, tone),
    progress: progressLine(ctx, d),
    mde: mdeRel === null ? null : `the smallest relative effect this experiment can detect on ${ctx.experiment.primary_metric}: ${fmtPercent(mdeRel)}`,
  };
}

export function headline(inputs: ReportInputs): Headline {
  const state = sectionState(inputs, 'decisions');
  const d = state.status === 'ok' ? inputs.tables.decisions[0] : undefined;
  const ctx = { experiment: inputs.experiment, abRows: orderedResults(inputs, inputs.tables.analysis_results), sequentialRows: inputs.tables.sequential_looks };
  return { status: state.status, note: state.note, ...decisionHeadline(ctx, d) };
}
