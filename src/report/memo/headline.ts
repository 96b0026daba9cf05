/**
 * The memo's first lines: the decision and why, from the decision plugin's exp.decisions
 * row. Without one (the plugin is missing, skipped or failed) the memo says there is no
 * decision and still shows the primary metric's result.
 */
import type { Row } from '../../engine/connection.ts';
import { fmtCount, fmtP, fmtPercent, fmtZ } from '../format.ts';
import type { ReportInputs } from '../inputs.ts';
import type { Headline, Tone } from '../memo-data.ts';
import { bool, json, num, str } from '../rows.ts';
import { orderedResults } from './metrics.ts';
import { sectionState } from './section-state.ts';
import { fmtLift, fmtLiftCi } from './values.ts';

/** The decision code's tone and words; codes are the decision plugin's, matched loosely. */
export function toneOf(decision: string | null, best: string | null): { tone: Tone; label: string } {
  const d = (decision ?? '').toLowerCase();
  if (!d) return { tone: 'unknown', label: 'No decision' };
  if (/investigat|untrust/.test(d)) return { tone: 'investigate', label: 'Investigate: the results are not trustworthy yet' };
  if (/don.?t|do[-_ ]not|no[-_ ]ship|not[-_ ]ship|harm|stop|rollback/.test(d)) return { tone: 'stop', label: 'Don\'t ship' };
  if (/^ship|win/.test(d)) return { tone: 'ship', label: best ? `Ship ${best}` : 'Ship' };
  if (/keep|continue|running|wait/.test(d)) return { tone: 'wait', label: 'Keep running' };
  if (/no[-_ ]detect|no[-_ ]effect|inconclusive|flat|neutral/.test(d)) return { tone: 'neutral', label: 'No detectable effect' };
  return { tone: 'unknown', label: decision! };
}

function primaryLine(inputs: ReportInputs, decision: Row | undefined, tone: Tone): string | null {
  const metric = inputs.experiment.primary_metric;
  const best = str(decision, 'best_treatment', 'leading_treatment');
  const caution = tone === 'investigate' ? ' (not to be acted on until the checks below are resolved)' : '';
  if (num(decision, 'primary_relative_lift') !== null) {
    const p = num(decision, 'primary_p_value_adjusted');
    return `${metric}${best ? ` (${best} vs ${inputs.experiment.control})` : ''}: ${fmtLift(num(decision, 'primary_relative_lift'))} ${fmtLiftCi(num(decision, 'primary_relative_ci_lower'), num(decision, 'primary_relative_ci_upper'))}${p === null ? '' : `, ${fmtP(p, 'adjusted p')}`}${caution}`;
  }
  const rows = orderedResults(inputs, 'analysis_results').filter((r) => str(r, 'metric') === metric && str(r, 'status') === 'ok');
  if (!rows.length) return null;
  return rows.map((r) => {
    return `${metric} (${str(r, 'variant')} vs ${inputs.experiment.control}): ${fmtLift(num(r, 'relative_lift'))} ${fmtLiftCi(num(r, 'relative_ci_lower'), num(r, 'relative_ci_upper'))}, ${fmtP(num(r, 'p_value_adjusted', 'p_value'), 'adjusted p')}`;
  }).join('; ') + caution;
}

function progressLine(d: Row | undefined): string | null {
  if (!d || bool(d, 'sequential') === false) return null;
  const look = num(d, 'look');
  if (look === null) return null;
  const planned = num(d, 'planned_looks');
  const t = num(d, 'information_fraction');
  const nextB = num(d, 'next_boundary');
  const nextT = num(d, 'next_information_fraction');
  return `look ${fmtCount(look)}${planned === null ? '' : ` of ${fmtCount(planned)}`}${t === null ? '' : ` at ${fmtPercent(t)} of the planned information`}`
    + (bool(d, 'is_final') ? ' (final look)' : nextB === null ? '' : `; the next look${nextT === null ? '' : ` (${fmtPercent(nextT)})`} must cross |z| ≥ ${fmtZ(nextB)}`);
}

/**
 * The decision's reasons: a json list of strings, or of { message, kind } objects where
 * kind 'note' informs and anything else decides; a reason about one treatment names it.
 */
export function reasonsOf(row: Row | undefined): { reasons: string[]; notes: string[] } {
  const list = json(row, 'reasons');
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
  const d = state.status === 'ok' ? (inputs.tables['decisions'] ?? [])[0] : undefined;
  const decision = str(d, 'decision');
  const best = str(d, 'best_treatment');
  const { tone, label } = toneOf(decision, best);
  const mdeRel = num(d, 'mde_relative');
  return {
    status: state.status,
    note: state.note,
    decision,
    label,
    tone,
    summary: str(d, 'headline'),
    rule: str(d, 'rule'),
    ...reasonsOf(d),
    bestTreatment: best,
    primary: primaryLine(inputs, d, tone),
    progress: progressLine(d),
    mde: mdeRel === null ? null : `the smallest relative effect this experiment can detect on ${inputs.experiment.primary_metric}: ${fmtPercent(mdeRel)}`,
  };
}
