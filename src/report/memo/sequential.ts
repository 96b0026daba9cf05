/**
 * Sequential status from the sequential plugin's exp.sequential_looks: which look this
 * is of how many, the boundary it was held to, the alpha spent so far, and what the next
 * look must cross.
 */
import type { SequentialRow } from '../../analyses/tables.ts';
import { fmtCount, fmtPercent, fmtSmall, fmtZ } from '../format.ts';
import type { ReportInputs } from '../inputs.ts';
import type { LookLine, SequentialSection } from '../memo-data.ts';
import { sectionState } from './section-state.ts';

/** Why a look is the last one, in words. */
export function finalReason(r: Pick<SequentialRow, 'window_complete' | 'information_fraction' | 'look' | 'planned_looks'> | undefined): string {
  if (r?.window_complete) return 'the window is over';
  if ((r?.information_fraction ?? 0) >= 1) return 'the planned sample is reached';
  return 'the last planned look';
}

/**
 * Where the experiment stands: "look 2 of 5", or at the end "final look (the window is
 * over) — 1 of 5 planned looks taken": a window that ends early makes an early look the
 * final one, and "look 1 of 5 (the final look)" read as a contradiction. `at` is an
 * optional " at 84.8% of the planned information".
 */
export function positionOf(look: number, planned: number, final: boolean, why: string, at = ''): string {
  if (!final) return `look ${fmtCount(look)} of ${fmtCount(planned)}${at}`;
  return `final look (${why})${at} — ${fmtCount(look)} of ${fmtCount(planned)} planned looks taken`;
}

/** An amount of alpha, two significant digits: 0.05 → "0.050", 0.0000123 → "1.2 × 10⁻⁵". */
const fmtAlpha = (x: number | null | undefined): string => fmtSmall(x, 2);

function lookLine(r: SequentialRow): LookLine {
  const crossed = r.crossed ?? null;
  return {
    look: fmtCount(r.look),
    variant: r.variant ?? '?',
    information: fmtPercent(r.information_fraction),
    z: r.status === 'ok' ? fmtZ(r.z) : '—',
    boundary: fmtZ(r.boundary),
    alphaSpent: fmtAlpha(r.alpha_spent),
    crossed: crossed === null ? '—' : crossed ? 'yes' : 'no',
    decision: r.decision ?? r.look_status ?? '—',
  };
}

export function sequentialSection(inputs: ReportInputs): SequentialSection {
  const seq = inputs.experiment.sequential;
  const empty = { rows: [], position: null, design: null, alphaSpent: null, next: null };
  if (!seq) return { status: 'missing', note: 'fixed-horizon experiment: no sequential design (sequential: in the config)', ...empty };
  const design = `${seq.looks} looks, ${seq.spending.replace('_', '-')} alpha spending, overall alpha ${seq.alpha}, ${fmtCount(seq.target_n_per_arm)} users per arm planned`;
  const state = sectionState(inputs, 'sequential_looks');
  if (state.status !== 'ok') return { ...state, ...empty, design };
  const treatments = inputs.experiment.treatments;
  const rows = [...inputs.tables.sequential_looks].sort((a, b) =>
    (a.look ?? 0) - (b.look ?? 0) || treatments.indexOf(a.variant ?? '') - treatments.indexOf(b.variant ?? ''));
  const current = rows.filter((r) => r.is_current === true);
  const head = current[0] ?? rows[rows.length - 1];
  const look = head?.look ?? null;
  const planned = head?.planned_looks ?? seq.looks;
  const nextT = head?.next_information_fraction ?? null;
  const nextB = head?.next_boundary ?? null;
  const alphaSpent = head?.alpha_spent ?? null;
  return {
    status: 'ok',
    note: head?.look_note ?? null,
    rows: rows.map(lookLine),
    position: look === null ? null : positionOf(look, planned, head?.is_final_look === true, finalReason(head)),
    design,
    alphaSpent: alphaSpent === null ? null : `${fmtAlpha(alphaSpent)} of ${fmtAlpha(seq.alpha)}`,
    next: nextB === null ? null : `the next look${nextT === null ? '' : ` (at ${fmtPercent(nextT)} information)`} must cross |z| ≥ ${fmtZ(nextB)}`,
  };
}
