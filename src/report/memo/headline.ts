/**
 * The memo's first lines: the decision and why, from the decision plugin's exp.decisions
 * row. Without one (the plugin is missing, skipped or failed) the memo says there is no
 * decision and still shows the primary metric's result.
 */
import type { Decision } from '../../analyses/lib/decision-rules.ts';
import type { DecisionRow } from '../../analyses/tables.ts';
import { fmtCount, fmtP, fmtPercent, fmtZ } from '../format.ts';
import type { ReportInputs } from '../inputs.ts';
import type { Headline, Tone } from '../memo-data.ts';
import { orderedResults } from './metrics.ts';
import { sectionState } from './section-state.ts';
import { fmtLift, fmtLiftCi } from './values.ts';

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

function primaryLine(inputs: ReportInputs, decision: DecisionRow | undefined, tone: Tone): string | null {
  const metric = inputs.experiment.primary_metric;
  const best = decision?.best_treatment ?? decision?.leading_treatment ?? null;
  const caution = tone === 'investigate' ? ' (not to be acted on until the checks below are resolved)' : '';
  if (decision && (decision.primary_relative_lift ?? null) !== null) {
    const p = decision.primary_p_value_adjusted ?? null;
    return `${metric}${best ? ` (${best} vs ${inputs.experiment.control})` : ''}: ${fmtLift(decision.primary_relative_lift)} ${fmtLiftCi(decision.primary_relative_ci_lower, decision.primary_relative_ci_upper)}${p === null ? '' : `, ${fmtP(p, 'adjusted p')}`}${caution}`;
  }
  const rows = orderedResults(inputs, inputs.tables.analysis_results).filter((r) => r.metric === metric && r.status === 'ok');
  if (!rows.length) return null;
  return rows.map((r) => {
    return `${metric} (${r.variant} vs ${inputs.experiment.control}): ${fmtLift(r.relative_lift)} ${fmtLiftCi(r.relative_ci_lower, r.relative_ci_upper)}, ${fmtP(r.p_value_adjusted ?? r.p_value, 'adjusted p')}`;
  }).join('; ') + caution;
}

function progressLine(d: DecisionRow | undefined): string | null {
  if (!d || d.sequential === false) return null;
  const look = d.look ?? null;
  if (look === null) return null;
  const planned = d.planned_looks ?? null;
  const t = d.information_fraction ?? null;
  const nextB = d.next_boundary ?? null;
  const nextT = d.next_information_fraction ?? null;
  return `look ${fmtCount(look)}${planned === null ? '' : ` of ${fmtCount(planned)}`}${t === null ? '' : ` at ${fmtPercent(t)} of the planned information`}`
    + (d.is_final ? ' (final look)' : nextB === null ? '' : `; the next look${nextT === null ? '' : ` (${fmtPercent(nextT)})`} must cross |z| ≥ ${fmtZ(nextB)}`);
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
    if (typeof r === 'string') { reasons.push(r); continue; }
    if (r === null || typeof r !== 'object') continue;
    const o = r as { message?: unknown; kind?: unknown; code?: unknown; variant?: unknown };
    const message = typeof o.message === 'string' ? o.message : typeof o.code === 'string' ? o.code : JSON.stringify(o);
    // one reason per treatment reads the same for each: say whose it is
    const text = typeof o.variant === 'string' && !message.includes(o.variant) ? `${o.variant}: ${message}` : message;
    (o.kind === 'note' ? notes : reasons).push(text);
  }
  return { reasons, notes };
}

export function headline(inputs: ReportInputs): Headline {
  const state = sectionState(inputs, 'decisions');
  const d = state.status === 'ok' ? inputs.tables.decisions[0] : undefined;
  const decision = d?.decision ?? null;
  const best = d?.best_treatment ?? null;
  const { tone, label } = toneOf(decision, best);
  const mdeRel = d?.mde_relative ?? null;
  return {
    status: state.status,
    note: state.note,
    decision,
    label,
    tone,
    summary: d?.headline ?? null,
    rule: d?.rule ?? null,
    ...reasonsOf(d),
    bestTreatment: best,
    primary: primaryLine(inputs, d, tone),
    progress: progressLine(d),
    mde: mdeRel === null ? null : `the smallest relative effect this experiment can detect on ${inputs.experiment.primary_metric}: ${fmtPercent(mdeRel)}`,
  };
}
